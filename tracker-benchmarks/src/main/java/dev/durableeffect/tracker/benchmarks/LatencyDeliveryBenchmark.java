package dev.durableeffect.tracker.benchmarks;

import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.http.HttpBatchTracker;
import dev.durableeffect.tracker.http.HttpBatchTrackerConfig;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.BatchLogRecordProcessor;
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
 * Delivery at real network latency: emit {@code events} events and flush, against a loopback sink
 * that answers every request after {@code latencyMs}. Both designs run at their default settings
 * (ours: batch 100, growing to 2,000 while events back up, one request in flight; OpenTelemetry's
 * batch processor: 512 per export, one export at a time), with only the queue raised to hold the
 * whole burst, so that nothing is dropped and the time measures delivery alone. Reports the time
 * per delivery; events/s is {@code events / time}. Also reports process CPU per 1,000 events.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgs = {"-Xms2g", "-Xmx2g"})
public class LatencyDeliveryBenchmark {

  @Param({"ours-defaults", "otel-otlp-defaults"})
  public String design;

  @Param({"0", "5", "50", "200"})
  public int latencyMs;

  @Param({"20000"})
  public int events;

  private LoopbackSink sink;
  private HttpBatchTracker tracker;
  private SdkLoggerProvider otel;
  private Logger logger;
  private WorkflowEvent[] prepared;

  /** CPU time of the whole process during one delivery, in microseconds per 1,000 events. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Cpu {
    public double cpuMicrosPer1000Events;
  }

  @Setup(Level.Trial)
  public void setUp() {
    sink = LoopbackSink.withLatency(Duration.ofMillis(latencyMs));
    prepared = new WorkflowEvent[events];
    for (int i = 0; i < events; i++) {
      prepared[i] = Events.stepCompleted(i);
    }
    switch (design) {
      case "ours-defaults" ->
          tracker =
              HttpBatchTracker.create(
                  HttpBatchTrackerConfig.builder()
                      .endpoint(sink.url("/ingest"))
                      .env("bench")
                      .serviceKey("benchmarks")
                      .maxQueueSize(events)
                      .build());
      case "otel-otlp-defaults" -> {
        OtlpHttpLogRecordExporter exporter =
            OtlpHttpLogRecordExporter.builder().setEndpoint(sink.url("/v1/logs")).build();
        otel =
            SdkLoggerProvider.builder()
                .addLogRecordProcessor(BatchLogRecordProcessor.builder(exporter).setMaxQueueSize(events).build())
                .build();
        logger = otel.get("benchmarks");
      }
      default -> throw new IllegalArgumentException(design);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (tracker != null) {
      tracker.close();
    }
    if (otel != null) {
      otel.shutdown().join(30, TimeUnit.SECONDS);
    }
    sink.close();
  }

  @Benchmark
  public void deliver(Cpu cpu) {
    long cpuBefore = DeliveryBenchmark.processCpuNanos();
    if (tracker != null) {
      for (WorkflowEvent event : prepared) {
        tracker.emit(event);
      }
      if (!tracker.flush(Duration.ofSeconds(120))) {
        throw new IllegalStateException("flush timed out: " + tracker.stats());
      }
    } else {
      for (int i = 0; i < events; i++) {
        Designs.emit(logger);
      }
      otel.forceFlush().join(120, TimeUnit.SECONDS);
    }
    cpu.cpuMicrosPer1000Events = (DeliveryBenchmark.processCpuNanos() - cpuBefore) / 1_000.0 / events * 1_000;
  }
}
