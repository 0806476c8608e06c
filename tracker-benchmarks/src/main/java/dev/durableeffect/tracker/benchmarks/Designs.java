package dev.durableeffect.tracker.benchmarks;

import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.event.WorkflowEvents;
import dev.durableeffect.tracker.http.Compression;
import dev.durableeffect.tracker.http.HttpBatchTracker;
import dev.durableeffect.tracker.http.HttpBatchTrackerConfig;
import dev.durableeffect.tracker.spool.SpoolConfig;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.BatchLogRecordProcessor;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;

/** Builders of the designs compared, so every benchmark sets them up the same way. */
final class Designs {

  static final AttributeKey<String> WORKFLOW_ID = AttributeKey.stringKey("workflowId");
  static final AttributeKey<String> WORKFLOW_NAME = AttributeKey.stringKey("workflowName");
  static final AttributeKey<String> EXECUTION_ID = AttributeKey.stringKey("executionId");
  static final AttributeKey<String> STEP_NAME = AttributeKey.stringKey("stepName");
  static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("attempt");
  static final AttributeKey<Long> DURATION_MS = AttributeKey.longKey("durationMs");
  static final AttributeKey<Boolean> CACHED = AttributeKey.booleanKey("cached");

  private Designs() {}

  static HttpBatchTracker tracker(String endpoint, Compression compression, int maxQueueSize, Duration shutdownTimeout) {
    return HttpBatchTracker.create(config(endpoint, compression, maxQueueSize).shutdownTimeout(shutdownTimeout).build());
  }

  static HttpBatchTracker tracker(String endpoint, Compression compression, int maxQueueSize, int batchSize) {
    return HttpBatchTracker.create(config(endpoint, compression, maxQueueSize).batchSize(batchSize).build());
  }

  /** As {@link #tracker(String, Compression, int, Duration)}, with a disk spool in a new temporary directory. */
  static HttpBatchTracker spooledTracker(String endpoint, Compression compression, int maxQueueSize, Duration shutdownTimeout) {
    return HttpBatchTracker.create(
        config(endpoint, compression, maxQueueSize).shutdownTimeout(shutdownTimeout).spool(spool()).build());
  }

  /** As {@link #tracker(String, Compression, int, int)}, with a disk spool in a new temporary directory. */
  static HttpBatchTracker spooledTracker(String endpoint, Compression compression, int maxQueueSize, int batchSize) {
    return HttpBatchTracker.create(
        config(endpoint, compression, maxQueueSize).batchSize(batchSize).spool(spool()).build());
  }

  /** A spool with the default settings in a new temporary directory (deleted when the JVM exits). */
  static SpoolConfig spool() {
    try {
      Path directory = Files.createTempDirectory("durable-tracker-bench-spool");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(directory)));
      return SpoolConfig.builder(directory).build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteTree(Path directory) {
    try (java.util.stream.Stream<Path> files = Files.walk(directory)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // best effort
    }
  }

  private static HttpBatchTrackerConfig.Builder config(String endpoint, Compression compression, int maxQueueSize) {
    return HttpBatchTrackerConfig.builder()
        .endpoint(endpoint)
        .env("bench")
        .serviceKey("benchmarks")
        .compression(compression)
        .maxQueueSize(maxQueueSize)
        .requestTimeout(Duration.ofSeconds(30));
  }

  /** OpenTelemetry's standard batching pipeline with the given exporter. */
  static SdkLoggerProvider otel(LogRecordExporter exporter, int maxQueueSize, int batchSize) {
    return SdkLoggerProvider.builder()
        .addLogRecordProcessor(
            BatchLogRecordProcessor.builder(exporter)
                .setMaxQueueSize(maxQueueSize)
                .setMaxExportBatchSize(batchSize)
                .build())
        .build();
  }

  /** The OpenTelemetry counterpart of emitting a step.completed event. */
  static void emit(Logger logger) {
    logger
        .logRecordBuilder()
        .setBody("step.completed")
        .setAllAttributes(
            Attributes.of(
                WORKFLOW_ID, "order-42",
                WORKFLOW_NAME, "processOrder",
                EXECUTION_ID, "exec-42",
                STEP_NAME, "charge-payment",
                ATTEMPT, 1L))
        .setAttribute(DURATION_MS, 42L)
        .setAttribute(CACHED, false)
        .emit();
  }

  /** An exporter that discards everything at once. */
  static LogRecordExporter discarding() {
    return new LogRecordExporter() {
      @Override
      public CompletableResultCode export(Collection<LogRecordData> logs) {
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
      }
    };
  }

  /**
   * The event emitted per operation: the same values as {@link #emit(Logger)}'s attributes,
   * constant strings on both sides, so neither pays for building strings the other does not.
   */
  static WorkflowEvent event() {
    return new WorkflowEvent.StepCompleted(
        WorkflowEvents.createBaseEvent("order-42", "processOrder", "exec-42"), "charge-payment", 1, 42, false);
  }
}
