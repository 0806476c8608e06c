package dev.durableeffect.tracker.kafka;

import dev.durableeffect.tracker.DropReason;
import dev.durableeffect.tracker.delivery.DeliveryEngine;
import dev.durableeffect.tracker.delivery.EngineSettings;
import dev.durableeffect.tracker.delivery.EngineTracker;
import dev.durableeffect.tracker.http.HttpBatchTrackerConfig;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Producer;
import org.jspecify.annotations.Nullable;

/**
 * Publishes events to a Kafka topic without ever slowing the caller: one record per event, key the
 * {@code workflowId} (UTF-8), value the event's wire JSON (byte for byte what the HTTP tracker puts
 * in a batch), headers {@code eventId}, {@code type} and {@code content-type: application/json}.
 *
 * <p>{@link #emit} is the delivery engine's: lock-free, O(1), never blocking. The engine's one
 * daemon thread serializes events and hands them to the Kafka producer, the only thread that calls
 * {@code KafkaProducer.send}. An event counts as delivered when the broker acknowledges it ({@code
 * acks=all}); it is dropped as {@link DropReason#TOO_LARGE} when the broker refuses its size, {@link
 * DropReason#REJECTED} on authorization and other errors retrying cannot fix, and {@link
 * DropReason#RETRIES_EXHAUSTED} when the producer gives up after {@code delivery.timeout.ms}. {@code
 * emitted == delivered + dropped + pending} at every quiescent point. The producer's defaults are
 * described on {@link KafkaTrackerConfig}.
 *
 * <p>A workflow's events stay in emit order: they share a key, so a partition, and reach the
 * producer in emit order; idempotence keeps a partition in {@code send} order, retries included.
 * With a spool, records the producer gives up on are sent again: the producer is closed at once
 * (nothing it holds is written after the failed record), and everything that failed goes again
 * first, in emit order, through a new producer. A record whose acknowledgement was lost then
 * arrives twice, with the same {@code eventId}.
 */
public final class KafkaTracker extends EngineTracker {

  /** Most records in flight per batch taken from the queue; twice this many in flight at most. */
  static final int MAX_BATCH_SIZE = 2_000;
  private static final int BATCH_SIZE = 500;
  /** Events go to the producer this soon; it then waits up to linger.ms to fill its requests. */
  private static final Duration FLUSH_INTERVAL = Duration.ofMillis(KafkaTrackerConfig.DEFAULT_LINGER_MS);
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final KafkaTrackerConfig config;

  private KafkaTracker(KafkaTrackerConfig config, DeliveryEngine engine) {
    super(engine);
    this.config = config;
  }

  /**
   * A tracker with its own Kafka producer, created from {@code config} and closed by {@link
   * #close()}. Connecting happens in the background: an unreachable cluster, or bootstrap servers
   * that do not resolve yet, never fail or slow this call.
   *
   * @throws IllegalArgumentException when the producer properties are invalid (Kafka's message)
   */
  public static KafkaTracker create(KafkaTrackerConfig config) {
    ProducerSettings settings = ProducerSettings.of(config);
    Producer<byte[], byte[]> first;
    try {
      settings.validate();
      first = settings.newProducer();
    } catch (RuntimeException e) {
      if (!ProducerSettings.isUnresolvable(e)) {
        throw new IllegalArgumentException(
            "durable-tracker: the Kafka producer cannot be created from the producer properties: "
                + KafkaTransport.describe(rootCause(e)),
            e);
      }
      // DNS may not know the cluster yet; the transport creates the producer once it does.
      first = null;
    }
    Producer<byte[], byte[]> created = first;
    // The first producer is the one made here; later ones replace a producer the transport closed.
    AtomicReference<@Nullable Producer<byte[], byte[]>> unused = new AtomicReference<>(created);
    Supplier<Producer<byte[], byte[]>> producers =
        () -> {
          Producer<byte[], byte[]> ready = unused.getAndSet(null);
          return ready != null ? ready : settings.newProducer();
        };
    try {
      EngineSettings engineSettings =
          new EngineSettings(
              config.env(),
              config.serviceKey(),
              config.maxQueueSize(),
              BATCH_SIZE,
              MAX_BATCH_SIZE,
              FLUSH_INTERVAL,
              HttpBatchTrackerConfig.DEFAULT_MAX_EVENT_BYTES,
              HttpBatchTrackerConfig.DEFAULT_MAX_BATCH_BYTES,
              config.shutdownTimeout(),
              "durable-tracker-kafka-" + THREADS.incrementAndGet(),
              destination(config),
              config.spool());
      DeliveryEngine engine =
          DeliveryEngine.start(
              engineSettings,
              context -> new KafkaTransport(producers, config, settings, 2 * MAX_BATCH_SIZE, context));
      return new KafkaTracker(config, engine);
    } catch (RuntimeException | Error e) {
      if (created != null) {
        created.close(Duration.ZERO);
      }
      throw e;
    }
  }

  private static String destination(KafkaTrackerConfig config) {
    return "Kafka topic " + config.topic() + " at " + config.bootstrapServers();
  }

  private static Throwable rootCause(Throwable error) {
    Throwable cause = error;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause;
  }

  /** The configuration this tracker runs with. */
  public KafkaTrackerConfig config() {
    return config;
  }

  @Override
  public String toString() {
    return "KafkaTracker[topic=" + config.topic() + ", bootstrapServers=" + config.bootstrapServers() + "]";
  }
}
