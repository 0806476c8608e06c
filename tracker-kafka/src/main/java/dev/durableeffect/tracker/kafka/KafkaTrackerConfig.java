package dev.durableeffect.tracker.kafka;

import dev.durableeffect.tracker.http.HttpBatchTrackerConfig;
import dev.durableeffect.tracker.http.InvalidSettingException;
import dev.durableeffect.tracker.spool.SpoolConfig;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Settings of a {@link KafkaTracker}. Build one with {@link #builder()}; an invalid value fails
 * {@link Builder#build()} with an {@link InvalidSettingException} naming the setting and the value.
 * Producer properties whose names suggest a secret ({@code sasl.jaas.config}, {@code
 * ssl.key.password}, ...) never appear in {@link #toString()}, logs or exception messages.
 *
 * <h2>Producer defaults</h2>
 * The tracker sets these unless {@link Builder#producerProperty} sets them otherwise:
 * <ul>
 *   <li>{@code enable.idempotence=true}, {@code acks=all}, {@code max.in.flight.requests.per.connection=5}:
 *       no duplicates from the producer's own retries, and records of one partition (so of one
 *       workflow) written in the order they were sent, retries included.
 *   <li>{@code compression.type=}{@value #DEFAULT_COMPRESSION}: cheap on the application's CPU
 *       (see {@code docs/benchmarks.md} for the comparison with zstd).
 *   <li>{@code linger.ms=}{@value #DEFAULT_LINGER_MS} and {@code batch.size=}{@value
 *       #DEFAULT_BATCH_BYTES}: small events travel in few requests.
 *   <li>{@code max.block.ms=0}: {@code send} never waits on the tracker's thread. A record whose
 *       topic metadata has not arrived yet (the broker is unreachable, say) stays first in line and
 *       is offered again after a short pause, so the tracker's thread never blocks and {@code close}
 *       keeps its deadline.
 *   <li>{@code request.timeout.ms} from {@code requestTimeout}, and {@code delivery.timeout.ms} from
 *       the retry settings: {@code linger.ms + maxAttempts * requestTimeout} plus the backoff delays
 *       between attempts ({@code initialDelay} doubling up to {@code maxDelay}), the time the HTTP
 *       tracker spends on a batch before it gives up ({@code RETRIES_EXHAUSTED}). With a spool
 *       ({@code spool}) the records the producer gives up on are sent again instead, in emit
 *       order, through a new producer (see {@code KafkaTracker}); a producer left stuck by a
 *       restarted broker so recovers.
 *   <li>{@code client.id=durable-tracker-<serviceKey>-<n>}.
 * </ul>
 * {@code key.serializer} and {@code value.serializer} are always byte-array serializers and {@code
 * bootstrap.servers} is {@link #bootstrapServers()}; setting them as producer properties is an error.
 *
 * @param bootstrapServers {@code host:port} pairs, comma separated, of the Kafka cluster
 * @param topic topic the events are published to
 * @param env environment added to every event
 * @param serviceKey service key added to every event
 * @param maxQueueSize events held in memory at most, up to {@value HttpBatchTrackerConfig#MAX_QUEUE_SIZE};
 *     beyond it new events are dropped and counted
 * @param shutdownTimeout how long {@code close()} may spend delivering what is pending
 * @param maxAttempts requests of the HTTP tracker's retry policy this equals, the first included;
 *     with {@code initialDelay}, {@code maxDelay} and {@code requestTimeout} it sets {@code
 *     delivery.timeout.ms}
 * @param initialDelay first backoff delay of that policy
 * @param maxDelay cap of its backoff delay
 * @param requestTimeout limit of one produce request ({@code request.timeout.ms})
 * @param producerProperties Kafka producer properties, passed through; they win over the defaults
 * @param spool the disk spool that keeps events the broker has not acknowledged across restarts, or
 *     null to keep them in memory only
 */
public record KafkaTrackerConfig(
    String bootstrapServers,
    String topic,
    String env,
    String serviceKey,
    int maxQueueSize,
    Duration shutdownTimeout,
    int maxAttempts,
    Duration initialDelay,
    Duration maxDelay,
    Duration requestTimeout,
    Map<String, Object> producerProperties,
    @Nullable SpoolConfig spool) {

  /** Default {@code topic}. */
  public static final String DEFAULT_TOPIC = "durable-tracker-events";
  /** Default {@code compression.type}. */
  public static final String DEFAULT_COMPRESSION = "lz4";
  /** Default {@code linger.ms}. */
  public static final int DEFAULT_LINGER_MS = 10;
  /** Default {@code batch.size}: 64 KiB. */
  public static final int DEFAULT_BATCH_BYTES = 64 * 1024;

  /** Longest a topic name may be, as Kafka checks it. */
  private static final int MAX_TOPIC_LENGTH = 249;
  /** Set by the tracker itself, never by a producer property. */
  private static final Set<String> RESERVED =
      Set.of("key.serializer", "value.serializer", "bootstrap.servers");

  /** Validates every setting; the exception names the setting and the bad value. */
  public KafkaTrackerConfig {
    bootstrapServers = checkBootstrapServers(bootstrapServers);
    checkTopic(topic);
    requireText(env, "env");
    requireText(serviceKey, "serviceKey");
    if (maxQueueSize <= 0 || maxQueueSize > HttpBatchTrackerConfig.MAX_QUEUE_SIZE) {
      throw invalid(
          "maxQueueSize", maxQueueSize, "a number from 1 to " + HttpBatchTrackerConfig.MAX_QUEUE_SIZE);
    }
    if (shutdownTimeout == null || shutdownTimeout.isNegative()) {
      throw invalid("shutdownTimeout", shutdownTimeout, "0 or more");
    }
    if (maxAttempts < 1) {
      throw invalid("maxAttempts", maxAttempts, "1 or more (every request counts, the first included)");
    }
    requirePositive(initialDelay, "initialDelay");
    requirePositive(maxDelay, "maxDelay");
    if (maxDelay.compareTo(initialDelay) < 0) {
      throw invalid("maxDelay", maxDelay, "at least initialDelay (" + initialDelay + ")");
    }
    requirePositive(requestTimeout, "requestTimeout");
    requireAtMostMax(shutdownTimeout, "shutdownTimeout");
    requireAtMostMax(initialDelay, "initialDelay");
    requireAtMostMax(maxDelay, "maxDelay");
    if (requestTimeout.toMillis() > Integer.MAX_VALUE) {
      throw invalid("requestTimeout", requestTimeout, "at most " + Integer.MAX_VALUE + " ms");
    }
    if (producerProperties == null) {
      throw new InvalidSettingException("producerProperties", null, "a map (empty for none)");
    }
    Map<String, Object> copy = new LinkedHashMap<>();
    for (Map.Entry<String, Object> property : producerProperties.entrySet()) {
      checkProducerProperty(property.getKey(), property.getValue());
      copy.put(property.getKey(), property.getValue());
    }
    producerProperties = Collections.unmodifiableMap(copy);
  }

  /** A builder with every default set; {@code bootstrapServers}, {@code env} and {@code serviceKey} are required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Whether a producer property's value may be a secret (passwords, keys, JAAS configuration,
   * tokens): such values are never shown.
   */
  static boolean isSecret(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.contains("password")
        || lower.contains("jaas")
        || lower.contains("secret")
        || lower.contains("token")
        || lower.contains("credential")
        || lower.contains("user.info")
        || lower.endsWith(".key")
        || lower.contains("keystore.key");
  }

  /** Lists every setting; values of secret producer properties show as {@code ***}. */
  @Override
  public String toString() {
    StringBuilder properties = new StringBuilder("{");
    for (Map.Entry<String, Object> property : producerProperties.entrySet()) {
      if (properties.length() > 1) {
        properties.append(", ");
      }
      properties
          .append(property.getKey())
          .append('=')
          .append(isSecret(property.getKey()) ? "***" : String.valueOf(property.getValue()));
    }
    properties.append('}');
    return "KafkaTrackerConfig[bootstrapServers=" + bootstrapServers
        + ", topic=" + topic
        + ", env=" + env
        + ", serviceKey=" + serviceKey
        + ", maxQueueSize=" + maxQueueSize
        + ", shutdownTimeout=" + shutdownTimeout
        + ", maxAttempts=" + maxAttempts
        + ", initialDelay=" + initialDelay
        + ", maxDelay=" + maxDelay
        + ", requestTimeout=" + requestTimeout
        + ", producerProperties=" + properties
        + ", spool=" + (spool == null ? "none" : spool.directory())
        + "]";
  }

  private static String checkBootstrapServers(@Nullable String servers) {
    if (servers == null) {
      throw new InvalidSettingException("bootstrapServers", null, "host:port pairs, comma separated");
    }
    String trimmed = servers.strip();
    if (trimmed.isEmpty()) {
      throw invalid("bootstrapServers", "'" + servers + "'", "host:port pairs, comma separated");
    }
    for (String server : trimmed.split(",", -1)) {
      String entry = server.strip();
      int colon = entry.lastIndexOf(':');
      boolean valid = colon > 0 && colon < entry.length() - 1;
      if (valid) {
        try {
          int port = Integer.parseInt(entry.substring(colon + 1));
          valid = port >= 1 && port <= 65535;
        } catch (NumberFormatException e) {
          valid = false;
        }
      }
      if (!valid) {
        throw invalid(
            "bootstrapServers",
            "'" + servers + "'",
            "host:port pairs, comma separated, with ports from 1 to 65535 ('" + entry + "' is not one)");
      }
    }
    return trimmed;
  }

  private static void checkTopic(@Nullable String topic) {
    if (topic == null) {
      throw new InvalidSettingException("topic", null, "a Kafka topic name");
    }
    boolean valid = !topic.isEmpty() && topic.length() <= MAX_TOPIC_LENGTH && !topic.equals(".") && !topic.equals("..");
    for (int i = 0; valid && i < topic.length(); i++) {
      char c = topic.charAt(i);
      valid = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    }
    if (!valid) {
      throw invalid(
          "topic",
          "'" + topic + "'",
          "a Kafka topic name: 1 to " + MAX_TOPIC_LENGTH + " letters, digits, '.', '_' or '-', not '.' or '..'");
    }
  }

  private static void checkProducerProperty(@Nullable String name, @Nullable Object value) {
    if (name == null || name.isBlank()) {
      throw invalid("producerProperty", "'" + name + "'", "a Kafka producer property name");
    }
    if (RESERVED.contains(name)) {
      throw invalid(
          "producerProperty",
          name,
          "a property the tracker does not set itself (it sends byte arrays and takes the servers from bootstrapServers)");
    }
    if (value == null) {
      throw new InvalidSettingException("producerProperty." + name, null, "a value");
    }
  }

  private static void requireAtMostMax(Duration value, String setting) {
    if (value.compareTo(HttpBatchTrackerConfig.MAX_DURATION) > 0) {
      throw invalid(setting, value, "at most " + HttpBatchTrackerConfig.MAX_DURATION.toDays() + " days");
    }
  }

  private static void requireText(@Nullable String value, String setting) {
    if (value == null) {
      throw new InvalidSettingException(setting, null, "a value");
    }
    if (value.isBlank()) {
      throw invalid(setting, "'" + value + "'", "a non-blank value");
    }
  }

  private static void requirePositive(@Nullable Duration value, String setting) {
    if (value == null) {
      throw new InvalidSettingException(setting, null, "a value");
    }
    if (value.isNegative() || value.isZero()) {
      throw invalid(setting, value, "a duration greater than 0");
    }
  }

  private static InvalidSettingException invalid(String setting, @Nullable Object value, String valid) {
    return new InvalidSettingException(setting, String.valueOf(value), valid);
  }

  /** Collects settings; every method is named after the setting it sets. */
  public static final class Builder {
    private @Nullable String bootstrapServers;
    private String topic = DEFAULT_TOPIC;
    private @Nullable String env;
    private @Nullable String serviceKey;
    private int maxQueueSize = HttpBatchTrackerConfig.DEFAULT_MAX_QUEUE_SIZE;
    private Duration shutdownTimeout = HttpBatchTrackerConfig.DEFAULT_SHUTDOWN_TIMEOUT;
    private int maxAttempts = HttpBatchTrackerConfig.DEFAULT_MAX_ATTEMPTS;
    private Duration initialDelay = HttpBatchTrackerConfig.DEFAULT_INITIAL_DELAY;
    private Duration maxDelay = HttpBatchTrackerConfig.DEFAULT_MAX_DELAY;
    private Duration requestTimeout = HttpBatchTrackerConfig.DEFAULT_REQUEST_TIMEOUT;
    private final Map<String, Object> producerProperties = new LinkedHashMap<>();
    private @Nullable SpoolConfig spool;

    private Builder() {}

    /** {@code host:port} pairs, comma separated, of the Kafka cluster; required. */
    public Builder bootstrapServers(String bootstrapServers) {
      this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
      return this;
    }

    /** Topic the events are published to; default {@value KafkaTrackerConfig#DEFAULT_TOPIC}. */
    public Builder topic(String topic) {
      this.topic = Objects.requireNonNull(topic, "topic");
      return this;
    }

    /** Environment added to every event, for example {@code production}; required. */
    public Builder env(String env) {
      this.env = Objects.requireNonNull(env, "env");
      return this;
    }

    /** Key identifying the sending service, added to every event; required. */
    public Builder serviceKey(String serviceKey) {
      this.serviceKey = Objects.requireNonNull(serviceKey, "serviceKey");
      return this;
    }

    /** Events held in memory at most; default {@value HttpBatchTrackerConfig#DEFAULT_MAX_QUEUE_SIZE}. */
    public Builder maxQueueSize(int maxQueueSize) {
      this.maxQueueSize = maxQueueSize;
      return this;
    }

    /** How long {@code close()} may spend delivering what is pending; default 10 s. */
    public Builder shutdownTimeout(Duration shutdownTimeout) {
      this.shutdownTimeout = Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
      return this;
    }

    /**
     * Attempts of the retry policy {@code delivery.timeout.ms} is derived from, the first included;
     * default {@value HttpBatchTrackerConfig#DEFAULT_MAX_ATTEMPTS}.
     */
    public Builder maxAttempts(int maxAttempts) {
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** First backoff delay of that retry policy; default 1 s. */
    public Builder initialDelay(Duration initialDelay) {
      this.initialDelay = Objects.requireNonNull(initialDelay, "initialDelay");
      return this;
    }

    /** Cap of that retry policy's backoff delay; default 30 s. */
    public Builder maxDelay(Duration maxDelay) {
      this.maxDelay = Objects.requireNonNull(maxDelay, "maxDelay");
      return this;
    }

    /** Limit of one produce request ({@code request.timeout.ms}); default 10 s. */
    public Builder requestTimeout(Duration requestTimeout) {
      this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
      return this;
    }

    /**
     * A Kafka producer property, passed through and winning over the tracker's defaults: security
     * ({@code security.protocol}, {@code sasl.*}, {@code ssl.*}), {@code compression.type}, ...
     */
    public Builder producerProperty(String name, Object value) {
      producerProperties.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Keeps events on disk until the broker acknowledges them, across crashes and restarts; records
     * the producer gives up on are then sent again instead of dropped.
     */
    public Builder spool(@Nullable SpoolConfig spool) {
      this.spool = spool;
      return this;
    }

    /** Validates the settings; the exception names the setting and the bad value. */
    public KafkaTrackerConfig build() {
      return new KafkaTrackerConfig(
          bootstrapServers,
          topic,
          env,
          serviceKey,
          maxQueueSize,
          shutdownTimeout,
          maxAttempts,
          initialDelay,
          maxDelay,
          requestTimeout,
          producerProperties,
          spool);
    }
  }
}
