package dev.durableeffect.tracker.benchmarks;

import dev.durableeffect.tracker.event.WireEvent;
import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.json.EventJson;
import dev.durableeffect.tracker.spool.SpoolConfig;
import dev.durableeffect.tracker.spool.SpoolRecord;
import dev.durableeffect.tracker.spool.SpoolStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Spool append throughput in events per second: batches of 100 step.completed records (their wire
 * JSON, about 300 bytes each, serialized once in setup) appended to a store in a fresh temporary
 * directory per iteration, with fsync every {@code syncInterval} ({@code PT0S}: every append). The
 * store's maxBytes (1 GiB) bounds the disk used; the directory is deleted after each iteration.
 * The product's goal is at least 200,000 events/s at {@code PT1S}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g"})
public class SpoolAppendBenchmark {

  private static final int BATCH = 100;

  @Param({"PT1S", "PT0S"})
  public String syncInterval;

  private final List<SpoolRecord> batch = new ArrayList<>(BATCH);
  private Path directory;
  private SpoolStore store;

  @Setup(Level.Trial)
  public void prepareRecords() {
    for (int i = 0; i < BATCH; i++) {
      WorkflowEvent event = Events.stepCompleted(i);
      byte[] json = EventJson.toJsonBytes(new WireEvent(event, "production", "benchmarks"));
      batch.add(SpoolRecord.of(event.base().workflowId(), event.base().eventId(), event.type().wireName(), json));
    }
  }

  @Setup(Level.Iteration)
  public void openStore() throws IOException {
    directory = Files.createTempDirectory("spool-append-benchmark");
    SpoolConfig config =
        SpoolConfig.builder(directory)
            .maxBytes(1L << 30)
            .syncInterval(Duration.parse(syncInterval))
            .build();
    store = SpoolStore.open(config, Clock.systemUTC());
  }

  @TearDown(Level.Iteration)
  public void deleteStore() throws IOException {
    store.close();
    try (Stream<Path> files = Files.walk(directory)) {
      for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void append() throws IOException {
    store.append(batch);
  }
}
