package dev.durableeffect.tracker.benchmarks;

import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
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
 * {@link DeliveryBenchmark}'s OpenTelemetry row at our batch sizes instead of its default 512. At
 * batch 100 one delivery of 20,000 events takes about 9 s, so this runs far fewer iterations.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgs = {"-Xms2g", "-Xmx2g"})
public class OtelSameBatchDeliveryBenchmark {

  @Param({"20000"})
  public int events;

  @Param({"100", "1000"})
  public int batchSize;

  private LoopbackSink sink;
  private SdkLoggerProvider otel;
  private Logger logger;

  @Setup(Level.Trial)
  public void setUp() {
    sink = LoopbackSink.healthy();
    otel =
        Designs.otel(
            OtlpHttpLogRecordExporter.builder().setEndpoint(sink.url("/v1/logs")).build(), events, batchSize);
    logger = otel.get("benchmarks");
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    otel.shutdown().join(10, TimeUnit.SECONDS);
    sink.close();
  }

  @Benchmark
  public void deliver(DeliveryBenchmark.Cpu cpu) {
    long cpuBefore = DeliveryBenchmark.processCpuNanos();
    for (int i = 0; i < events; i++) {
      Designs.emit(logger);
    }
    otel.forceFlush().join(60, TimeUnit.SECONDS);
    cpu.cpuMicrosPer1000Events = (DeliveryBenchmark.processCpuNanos() - cpuBefore) / 1_000.0 / events * 1_000;
  }
}
