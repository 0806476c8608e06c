package dev.durableeffect.tracker.http;

import dev.durableeffect.tracker.DropReason;
import dev.durableeffect.tracker.delivery.DeliveryEngine;
import dev.durableeffect.tracker.delivery.EngineSettings;
import dev.durableeffect.tracker.delivery.EngineTracker;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.function.Consumer;
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
public final class HttpBatchTracker extends EngineTracker {

  private static final Logger LOGGER = LoggerFactory.getLogger(HttpBatchTracker.class);

  private final HttpBatchTrackerConfig config;

  private HttpBatchTracker(HttpBatchTrackerConfig config, HttpClient client) {
    super(startEngine(config, client));
    this.config = config;
    LOGGER.info("durable-tracker: sending events to {}", config.redactedEndpoint());
  }

  private static DeliveryEngine startEngine(HttpBatchTrackerConfig config, HttpClient client) {
    RetryPolicy retryPolicy =
        new RetryPolicy(config.maxAttempts(), config.initialDelay(), config.maxDelay(), Clock.systemUTC());
    try {
      return DeliveryEngine.start(
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

  /** The configuration this tracker runs with. */
  public HttpBatchTrackerConfig config() {
    return config;
  }

  @Override
  public String toString() {
    return "HttpBatchTracker[" + config.redactedEndpoint() + "]";
  }
}
