package dev.durableeffect.tracker.benchmarks;

import dev.durableeffect.tracker.event.WireEvent;
import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.http.Compression;
import dev.durableeffect.tracker.http.HttpBatchTracker;
import dev.durableeffect.tracker.json.EventJson;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import java.io.ByteArrayOutputStream;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Delivery throughput: emit {@code events} events, flush, and time until the loopback sink has
 * answered for all of them. The {@code serialize-only} row is the ceiling: the same events
 * serialized into batch bodies with no I/O. Also reports process CPU time per 1,000 events.
 *
 * <p>A hundred warm-up deliveries: the client, server and JSON paths need that many before C2 has
 * compiled them, and fewer measure the JIT rather than the tracker. OpenTelemetry's exporter at
 * its own default batch size does not depend on {@code batchSize}; its same-batch rows run at
 * about 9 s per delivery at batch 100 and so have their own, shorter benchmark,
 * {@link OtelSameBatchDeliveryBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 100)
@Measurement(iterations = 20)
@Fork(value = 1, jvmArgs = {"-Xms2g", "-Xmx2g"})
public class DeliveryBenchmark {

  @Param({"ours-plain", "ours-gzip", "ours-plain-spool", "otel-otlp-default", "serialize-only"})
  public String design;

  @Param({"20000"})
  public int events;

  /** Events per request for ours and the ceiling (OpenTelemetry keeps its default 512 here). */
  @Param({"100", "1000"})
  public int batchSize;

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
    sink = LoopbackSink.healthy();
    prepared = new WorkflowEvent[events];
    for (int i = 0; i < events; i++) {
      prepared[i] = Events.stepCompleted(i);
    }
    switch (design) {
      case "ours-plain" -> tracker = Designs.tracker(sink.url("/ingest"), Compression.NONE, events, batchSize);
      case "ours-gzip" -> tracker = Designs.tracker(sink.url("/ingest"), Compression.GZIP, events, batchSize);
      case "ours-plain-spool" -> tracker = Designs.spooledTracker(sink.url("/ingest"), Compression.NONE, events, batchSize);
      case "otel-otlp-default" -> {
        OtlpHttpLogRecordExporter exporter =
            OtlpHttpLogRecordExporter.builder().setEndpoint(sink.url("/v1/logs")).build();
        otel = Designs.otel(exporter, events, 512);
        logger = otel.get("benchmarks");
      }
      case "serialize-only" -> { }
      default -> throw new IllegalArgumentException(design);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (tracker != null) {
      tracker.close();
    }
    if (otel != null) {
      otel.shutdown().join(10, TimeUnit.SECONDS);
    }
    sink.close();
  }

  @Benchmark
  public void deliver(Cpu cpu, Blackhole blackhole) {
    long cpuBefore = processCpuNanos();
    switch (design) {
      case "ours-plain", "ours-gzip", "ours-plain-spool" -> {
        for (WorkflowEvent event : prepared) {
          tracker.emit(event);
        }
        if (!tracker.flush(Duration.ofSeconds(60))) {
          throw new IllegalStateException("flush timed out: " + tracker.stats());
        }
      }
      case "otel-otlp-default" -> {
        for (int i = 0; i < events; i++) {
          Designs.emit(logger);
        }
        otel.forceFlush().join(60, TimeUnit.SECONDS);
      }
      default -> serialize(blackhole);
    }
    cpu.cpuMicrosPer1000Events = (processCpuNanos() - cpuBefore) / 1_000.0 / events * 1_000;
  }

  /** What the tracker's sender does per batch, without the HTTP: enrich, serialize, join. */
  private void serialize(Blackhole blackhole) {
    ByteArrayOutputStream body = new ByteArrayOutputStream(64 * 1024);
    ByteArrayOutputStream scratch = new ByteArrayOutputStream(1024);
    for (int start = 0; start < events; start += batchSize) {
      body.reset();
      body.writeBytes("{\"events\":[".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      for (int i = start; i < Math.min(events, start + batchSize); i++) {
        scratch.reset();
        EventJson.write(new WireEvent(prepared[i], "bench", "benchmarks"), scratch);
        if (i > start) {
          body.write(',');
        }
        body.writeBytes(scratch.toByteArray());
      }
      body.writeBytes("]}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      blackhole.consume(body.toByteArray());
    }
  }

  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }
}
