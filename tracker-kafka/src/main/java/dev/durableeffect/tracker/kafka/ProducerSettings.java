package dev.durableeffect.tracker.kafka;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The producer properties of a tracker: the tracker's defaults (see {@link KafkaTrackerConfig}),
 * then the user's properties over them, then what the tracker must own. Also reads back the few
 * effective values the transport bounds itself by.
 */
final class ProducerSettings {

  /** Kafka's default {@code buffer.memory}. */
  static final long DEFAULT_BUFFER_MEMORY = 32L * 1024 * 1024;
  private static final int KAFKA_DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
  private static final AtomicInteger CLIENTS = new AtomicInteger();

  private final Map<String, Object> properties;

  private ProducerSettings(Map<String, Object> properties) {
    this.properties = properties;
  }

  /** The properties for {@code config}. */
  static ProducerSettings of(KafkaTrackerConfig config) {
    Map<String, Object> properties = new LinkedHashMap<>();
    properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    properties.put(ProducerConfig.ACKS_CONFIG, "all");
    properties.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
    properties.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, KafkaTrackerConfig.DEFAULT_COMPRESSION);
    properties.put(ProducerConfig.LINGER_MS_CONFIG, String.valueOf(KafkaTrackerConfig.DEFAULT_LINGER_MS));
    properties.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(KafkaTrackerConfig.DEFAULT_BATCH_BYTES));
    properties.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "0");
    properties.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(config.requestTimeout().toMillis()));
    properties.put(
        ProducerConfig.CLIENT_ID_CONFIG, "durable-tracker-" + config.serviceKey() + "-" + CLIENTS.incrementAndGet());
    properties.putAll(config.producerProperties());
    if (!config.producerProperties().containsKey(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG)) {
      long linger = longValue(properties, ProducerConfig.LINGER_MS_CONFIG, 0);
      long derived =
          Math.max(
              retryBudget(config).toMillis() + linger,
              linger + longValue(properties, ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, KAFKA_DEFAULT_REQUEST_TIMEOUT_MS));
      properties.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(Math.min(derived, Integer.MAX_VALUE)));
    }
    properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
    return new ProducerSettings(properties);
  }

  /**
   * How long the HTTP tracker with the same retry settings spends on a batch at most before it
   * gives up: every attempt up to its request timeout, and the backoff between attempts.
   */
  static Duration retryBudget(KafkaTrackerConfig config) {
    Duration total = config.requestTimeout().multipliedBy(config.maxAttempts());
    Duration delay = config.initialDelay();
    for (int retry = 1; retry < config.maxAttempts(); retry++) {
      total = total.plus(delay);
      delay = delay.multipliedBy(2);
      if (delay.compareTo(config.maxDelay()) > 0) {
        delay = config.maxDelay();
      }
    }
    return total;
  }

  /** A new producer with these properties; it connects in the background. */
  Producer<byte[], byte[]> newProducer() {
    return new KafkaProducer<>(properties(), new ByteArraySerializer(), new ByteArraySerializer());
  }

  /**
   * Checks every value without creating a producer (which would also look up the bootstrap
   * servers).
   *
   * @throws ConfigException naming the property
   */
  void validate() {
    Map<String, Object> checked = properties();
    checked.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    checked.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    new ProducerConfig(checked);
  }

  /**
   * Whether creating a producer failed because no bootstrap server resolves (yet): DNS of a cluster
   * starting beside the application, say. The tracker tries again later instead of failing.
   */
  static boolean isUnresolvable(Throwable error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
      if (cause instanceof ConfigException && String.valueOf(cause.getMessage()).contains("resolvable bootstrap")) {
        return true;
      }
    }
    return false;
  }

  /** The properties to create the producer with (a copy). */
  Map<String, Object> properties() {
    return new LinkedHashMap<>(properties);
  }

  /** Effective {@code delivery.timeout.ms}: how long a record may wait before the producer gives up on it. */
  long deliveryTimeoutMs() {
    return longValue(properties, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
  }

  /** Effective {@code buffer.memory}. */
  long bufferMemory() {
    return longValue(properties, ProducerConfig.BUFFER_MEMORY_CONFIG, DEFAULT_BUFFER_MEMORY);
  }

  /** A numeric property given as a number or as text; {@code fallback} when unset or unreadable (the producer reports it). */
  private static long longValue(Map<String, Object> properties, String name, long fallback) {
    Object value = properties.get(name);
    if (value instanceof Number number) {
      return number.longValue();
    }
    if (value != null) {
      try {
        return Long.parseLong(value.toString().strip());
      } catch (NumberFormatException e) {
        return fallback;
      }
    }
    return fallback;
  }
}
