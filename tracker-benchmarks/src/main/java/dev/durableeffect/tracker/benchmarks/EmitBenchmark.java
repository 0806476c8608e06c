package dev.durableeffect.tracker.benchmarks;

import dev.durableeffect.tracker.EventTracker;
import dev.durableeffect.tracker.InMemoryTracker;
import dev.durableeffect.tracker.NoopTracker;
import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.http.Compression;
import dev.durableeffect.tracker.kafka.KafkaTracker;
import dev.durableeffect.tracker.kafka.KafkaTrackerConfig;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.logs.LogRecordProcessor;
import io.opentelemetry.sdk.logs.ReadWriteLogRecord;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.BatchLogRecordProcessor;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What handing one ready event to the pipeline costs the calling workflow thread: {@code emit} of a
 * prebuilt event for the trackers, {@code onEmit} of a prebuilt log record for OpenTelemetry's
 * {@link BatchLogRecordProcessor}. Queues are sized so no iteration fills them: the accepted path
 * is measured, not drops.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 200, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 10, time = 200, timeUnit = TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgs = {"-Xms3g", "-Xmx3g"})
public class EmitBenchmark {

  private static final int QUEUE = 1 << 24;

  @Param({
    "http-healthy", "http-hanging", "http-healthy-spool", "http-hanging-spool", "kafka-unreachable",
    "in-memory", "noop", "seed-healthy", "seed-failing", "otel-batch"
  })
  public String design;

  private LoopbackSink sink;
  private EventTracker tracker;
  private SeedStyleTracker seed;
  private SdkLoggerProvider otel;
  private BatchLogRecordProcessor processor;
  private ReadWriteLogRecord record;
  private final WorkflowEvent event = Designs.event();

  @Setup(Level.Trial)
  public void startSink() {
    sink = design.contains("hanging") ? LoopbackSink.hanging() : LoopbackSink.healthy();
  }

  @Setup(Level.Iteration)
  public void create() {
    switch (design) {
      case "http-healthy", "http-hanging" ->
          tracker = Designs.tracker(sink.url("/ingest"), Compression.GZIP, QUEUE, Duration.ZERO);
      case "http-healthy-spool", "http-hanging-spool" ->
          tracker = Designs.spooledTracker(sink.url("/ingest"), Compression.GZIP, QUEUE, Duration.ZERO);
      // Nothing listens on port 9: the Kafka tracker finds no broker, like the hanging HTTP sink.
      case "kafka-unreachable" ->
          tracker =
              KafkaTracker.create(
                  KafkaTrackerConfig.builder()
                      .bootstrapServers("127.0.0.1:9")
                      .env("bench")
                      .serviceKey("benchmarks")
                      .maxQueueSize(QUEUE)
                      .shutdownTimeout(Duration.ZERO)
                      .build());
      case "in-memory" -> tracker = new InMemoryTracker();
      case "noop" -> tracker = new NoopTracker();
      case "seed-healthy" -> seed = new SeedStyleTracker(sink.url("/ingest"), 100, 3, Duration.ofMillis(1));
      // Nothing listens on port 9: every send fails fast and is retried 3 times after 1, 2 and 4
      // ms: the reference's 1 s schedule scaled down a thousandfold.
      case "seed-failing" -> seed = new SeedStyleTracker("http://127.0.0.1:9/ingest", 100, 3, Duration.ofMillis(1));
      case "otel-batch" -> {
        processor = BatchLogRecordProcessor.builder(Designs.discarding()).setMaxQueueSize(QUEUE).build();
        record = captureRecord();
      }
      default -> throw new IllegalArgumentException(design);
    }
  }

  /** A log record as the SDK builds it for the equivalent of our event, captured once. */
  private static ReadWriteLogRecord captureRecord() {
    AtomicReference<ReadWriteLogRecord> captured = new AtomicReference<>();
    LogRecordProcessor capture = (context, logRecord) -> captured.set(logRecord);
    SdkLoggerProvider provider = SdkLoggerProvider.builder().addLogRecordProcessor(capture).build();
    Logger logger = provider.get("benchmarks");
    Designs.emit(logger);
    provider.close();
    return captured.get();
  }

  @TearDown(Level.Iteration)
  public void close() {
    if (tracker != null) {
      tracker.close();
      tracker = null;
    }
    if (processor != null) {
      processor.shutdown().join(10, TimeUnit.SECONDS);
      processor = null;
    }
    seed = null;
  }

  @TearDown(Level.Trial)
  public void stopSink() {
    sink.close();
  }

  @Benchmark
  @Threads(1)
  public void oneThread() {
    emit();
  }

  @Benchmark
  @Threads(2)
  public void twoThreads() {
    emit();
  }

  private void emit() {
    if (processor != null) {
      processor.onEmit(Context.root(), record);
    } else if (seed != null) {
      seed.emit(event);
    } else {
      tracker.emit(event);
    }
  }
}
