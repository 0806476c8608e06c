package dev.durableeffect.tracker.benchmarks;

import dev.durableeffect.tracker.NoopTracker;
import dev.durableeffect.tracker.http.Compression;
import dev.durableeffect.tracker.http.HttpBatchTracker;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
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
 * The whole cost in workflow code: creating the event (UUID v7, timestamp, record) and emitting it,
 * against building and emitting the equivalent OpenTelemetry log record through its Logger API.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 200, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 10, time = 200, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgs = {"-Xms3g", "-Xmx3g"})
public class CreateAndEmitBenchmark {

  @Param({"http-hanging", "noop", "otel-batch"})
  public String design;

  private LoopbackSink sink;
  private HttpBatchTracker tracker;
  private final NoopTracker noop = new NoopTracker();
  private SdkLoggerProvider otel;
  private Logger logger;

  @Setup(Level.Iteration)
  public void create() {
    switch (design) {
      case "http-hanging" -> {
        sink = LoopbackSink.hanging();
        tracker = Designs.tracker(sink.url("/ingest"), Compression.GZIP, 1 << 23, Duration.ZERO);
      }
      case "noop" -> { }
      case "otel-batch" -> {
        otel = Designs.otel(Designs.discarding(), 1 << 23, 512);
        logger = otel.get("benchmarks");
      }
      default -> throw new IllegalArgumentException(design);
    }
  }

  @TearDown(Level.Iteration)
  public void close() {
    if (tracker != null) {
      tracker.close();
      sink.close();
      tracker = null;
    }
    if (otel != null) {
      otel.shutdown().join(10, TimeUnit.SECONDS);
      otel = null;
    }
  }

  @Benchmark
  public void createAndEmit() {
    if (logger != null) {
      Designs.emit(logger);
    } else if (tracker != null) {
      tracker.emit(Designs.event());
    } else {
      noop.emit(Designs.event());
    }
  }
}
