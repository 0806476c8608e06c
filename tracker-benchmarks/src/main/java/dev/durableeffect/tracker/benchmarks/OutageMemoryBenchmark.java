package dev.durableeffect.tracker.benchmarks;

import dev.durableeffect.tracker.http.Compression;
import dev.durableeffect.tracker.http.HttpBatchTracker;
import dev.durableeffect.tracker.http.HttpBatchTrackerConfig;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Memory under an outage: heap retained after 1,000,000 emits while the endpoint is down, against
 * the configured bound ({@code maxQueueSize}, 10,000 events). For the reference design the
 * endpoint refuses connections (a hanging endpoint would block its caller forever: it has no
 * timeout).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgs = {"-Xms2g", "-Xmx2g", "-XX:+UseSerialGC"})
public class OutageMemoryBenchmark {

  static final int EMITS = 1_000_000;

  @Param({"ours-hanging", "ours-refused", "seed-refused"})
  public String design;

  private LoopbackSink hanging;

  /** Heap still in use after the emits and a full GC, and what was delivered. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Retained {
    public double retainedMegabytes;
    public double queuedEvents;
  }

  @Setup(Level.Trial)
  public void setUp() {
    hanging = LoopbackSink.hanging();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    hanging.close();
  }

  @Benchmark
  public Object emitMillionDuringOutage(Retained retained) {
    long before = usedHeapAfterGc();
    Object holder;
    switch (design) {
      case "ours-hanging", "ours-refused" -> {
        String endpoint = design.equals("ours-hanging") ? hanging.url("/ingest") : "http://127.0.0.1:9/ingest";
        HttpBatchTracker tracker =
            HttpBatchTracker.create(
                HttpBatchTrackerConfig.builder()
                    .endpoint(endpoint)
                    .env("bench")
                    .serviceKey("benchmarks")
                    .compression(Compression.GZIP)
                    .requestTimeout(Duration.ofSeconds(30))
                    .shutdownTimeout(Duration.ZERO)
                    .build());
        for (int i = 0; i < EMITS; i++) {
          tracker.emit(Events.stepCompleted(i));
        }
        retained.retainedMegabytes = (usedHeapAfterGc() - before) / 1_048_576.0;
        retained.queuedEvents = tracker.pending();
        tracker.close();
        holder = tracker;
      }
      case "seed-refused" -> {
        SeedStyleTracker seed = new SeedStyleTracker("http://127.0.0.1:9/ingest", 100, 3, Duration.ofNanos(1_000));
        for (int i = 0; i < EMITS; i++) {
          seed.emit(Events.stepCompleted(i));
        }
        retained.retainedMegabytes = (usedHeapAfterGc() - before) / 1_048_576.0;
        retained.queuedEvents = seed.buffered();
        holder = seed;
      }
      default -> throw new IllegalArgumentException(design);
    }
    return holder;
  }

  private static long usedHeapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
