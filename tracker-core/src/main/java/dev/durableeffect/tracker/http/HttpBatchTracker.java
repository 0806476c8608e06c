package dev.durableeffect.tracker.http;

import dev.durableeffect.tracker.DropReason;
import dev.durableeffect.tracker.TrackerStats;
import dev.durableeffect.tracker.delivery.DeliveringTracker;
import dev.durableeffect.tracker.delivery.DeliveryEngine;
import dev.durableeffect.tracker.delivery.EngineSettings;
import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.spool.SpoolStatus;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers events in batches over HTTP without ever slowing the caller.
 *
 * <p>{@link #emit} validates and enqueues in O(1) on the caller's thread: no I/O, no locks, no
 * JSON. One daemon thread of the tracker's own forms batches by size, bytes and age, enriches them
 * with {@code env} and {@code serviceKey}, serializes and compresses them once, and POSTs {@code
 * {"events":[...]}} with retries (see {@link HttpBatchTrackerConfig}), one request at a time. Every
 * event handed to {@code emit} ends up delivered, dropped under a {@link DropReason}, or pending:
 * {@code emitted == delivered + dropped + pending} at every quiescent point.
 */
public final class HttpBatchTracker implements DeliveringTracker {

  private static final Logger LOGGER = LoggerFactory.getLogger(HttpBatchTracker.class);

  private final HttpBatchTrackerConfig config;
  private final DeliveryEngine engine;

  private HttpBatchTracker(HttpBatchTrackerConfig config, HttpClient client) {
    this.config = config;
    RetryPolicy retryPolicy =
        new RetryPolicy(config.maxAttempts(), config.initialDelay(), config.maxDelay(), Clock.systemUTC());
    try {
      this.engine =
          DeliveryEngine.start(
              settings(config),
              context ->
                  new Lane(
                      client,
                      new HttpSender(client, config, TrackerVersion.userAgent()),
                      retryPolicy,
                      context,
                      config));
    } catch (RuntimeException | Error e) {
      // The spool directory is locked or unusable: release the client made for this tracker.
      TrackerHttpClient.close(client);
      throw e;
    }
    LOGGER.info("durable-tracker: sending events to {}", config.redactedEndpoint());
  }

  private static EngineSettings settings(HttpBatchTrackerConfig config) {
    return new EngineSettings(
        config.env(),
        config.serviceKey(),
        config.maxQueueSize(),
        config.batchSize(),
        config.maxBatchSize(),
        config.flushInterval(),
        config.maxEventBytes(),
        config.maxBatchBytes(),
        config.shutdownTimeout(),
        "durable-tracker-sender",
        config.redactedEndpoint(),
        config.spool());
  }

  /**
   * A tracker with its own JDK {@link HttpClient}, built from {@code config} (timeouts, {@link
   * HttpBatchTrackerConfig#sslContext() TLS}, {@link HttpBatchTrackerConfig#proxy() proxy}) and
   * released by {@link #close()}.
   */
  public static HttpBatchTracker create(HttpBatchTrackerConfig config) {
    return create(config, builder -> {});
  }

  /**
   * A tracker with its own JDK {@link HttpClient}: built from {@code config}, then handed to
   * {@code clientCustomizer}, which may change any setting (executor, SSL parameters, HTTP version,
   * an authenticator, ...) before it is built. The client is the tracker's alone, never an
   * application's, so nothing configured for the application's HTTP traffic (default headers,
   * filters, observation) reaches the tracking endpoint.
   */
  public static HttpBatchTracker create(
      HttpBatchTrackerConfig config, Consumer<HttpClient.Builder> clientCustomizer) {
    return new HttpBatchTracker(config, TrackerHttpClient.build(config, clientCustomizer));
  }

  @Override
  public void emit(WorkflowEvent event) {
    engine.emit(event);
  }

  /**
   * Completes once every event accepted before this call is delivered or dropped: tracked by
   * sequence number, so events accepted later (and dropped early) cannot complete it sooner.
   */
  @Override
  public CompletableFuture<Void> flush() {
    return engine.flush();
  }

  @Override
  public long pending() {
    return engine.pending();
  }

  @Override
  public TrackerStats stats() {
    return engine.stats();
  }

  /** How delivery has been going: last success, last failure and its reason. */
  @Override
  public DeliveryStatus deliveryStatus() {
    return engine.deliveryStatus();
  }

  /** The configuration this tracker runs with. */
  public HttpBatchTrackerConfig config() {
    return config;
  }

  /** Events waiting in the queue (not counting the batch being sent). */
  @Override
  public long queueSize() {
    return engine.queueSize();
  }

  @Override
  public int queueCapacity() {
    return config.maxQueueSize();
  }

  /** Observes every HTTP request from now on, for metrics. */
  @Override
  public void addSendListener(SendListener listener) {
    engine.addSendListener(listener);
  }

  @Override
  public @Nullable SpoolStatus spoolStatus() {
    return engine.spoolStatus();
  }

  /** The endpoint, without credentials. */
  @Override
  public String destination() {
    return config.redactedEndpoint();
  }

  /**
   * Stops intake, delivers what it can within {@code shutdownTimeout}, counts what is left as
   * dropped ({@link DropReason#CLOSED}), and frees the sender thread and connections. Idempotent; a
   * second call waits for the first to finish. Never throws; an interrupt of the calling thread does
   * not cut the drain short and is restored on return.
   */
  @Override
  public void close() {
    engine.close();
  }

  @Override
  public String toString() {
    return "HttpBatchTracker[" + config.redactedEndpoint() + "]";
  }
}
