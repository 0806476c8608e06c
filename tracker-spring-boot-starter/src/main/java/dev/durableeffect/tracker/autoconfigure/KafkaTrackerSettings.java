package dev.durableeffect.tracker.autoconfigure;

import dev.durableeffect.tracker.EventTracker;
import dev.durableeffect.tracker.http.InvalidSettingException;
import dev.durableeffect.tracker.kafka.KafkaTracker;
import dev.durableeffect.tracker.kafka.KafkaTrackerConfig;
import java.util.List;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * Turns {@code durable.tracker.*} and {@code durable.tracker.kafka.*} into a {@link KafkaTracker}.
 * Loaded only when {@code durable.tracker.type=kafka}: tracker-kafka and kafka-clients are optional,
 * and the classes that use them sit in {@link Creation}, which is loaded only once both are known to
 * be there.
 */
final class KafkaTrackerSettings {

  static final String KAFKA_PREFIX = HttpTrackerSettings.PREFIX + "kafka.";
  private static final String KAFKA_TRACKER = "dev.durableeffect.tracker.kafka.KafkaTracker";
  private static final String KAFKA_PRODUCER = "org.apache.kafka.clients.producer.KafkaProducer";

  private KafkaTrackerSettings() {}

  /**
   * The Kafka tracker.
   *
   * @throws InvalidTrackerPropertyException naming the property, its value and what is valid; also
   *     when the tracker-kafka module is missing
   */
  static EventTracker createTracker(DurableTrackerProperties properties, Environment environment) {
    ClassLoader loader = ClassUtils.getDefaultClassLoader();
    if (!ClassUtils.isPresent(KAFKA_TRACKER, loader) || !ClassUtils.isPresent(KAFKA_PRODUCER, loader)) {
      throw new InvalidTrackerPropertyException(
          HttpTrackerSettings.PREFIX + "type",
          "kafka",
          "http, noop or in-memory; kafka needs the dependency dev.durableeffect:tracker-kafka (which brings"
              + " org.apache.kafka:kafka-clients) on the application's classpath, and it is missing");
    }
    return Creation.create(properties, environment);
  }

  /** Touches the Kafka classes; loaded only when they are present. */
  private static final class Creation {

    static EventTracker create(DurableTrackerProperties properties, Environment environment) {
      DurableTrackerProperties.Kafka kafka = properties.kafka();
      String bootstrapServers = bootstrapServers(kafka, environment);
      KafkaTrackerConfig config;
      try {
        KafkaTrackerConfig.Builder builder =
            KafkaTrackerConfig.builder()
                .bootstrapServers(bootstrapServers)
                .topic(kafka.topic())
                .env(HttpTrackerSettings.env(properties, environment))
                .serviceKey(HttpTrackerSettings.serviceKey(properties, environment))
                .maxQueueSize(properties.maxQueueSize())
                .shutdownTimeout(properties.shutdownTimeout())
                .maxAttempts(properties.retry().maxAttempts())
                .initialDelay(properties.retry().initialDelay())
                .maxDelay(properties.retry().maxDelay())
                .requestTimeout(properties.requestTimeout())
                .spool(HttpTrackerSettings.spool(properties.spool()));
        kafka.properties().forEach(builder::producerProperty);
        config = builder.build();
      } catch (InvalidSettingException e) {
        throw new InvalidTrackerPropertyException(propertyName(e.setting()), e.value(), e.expected());
      }
      try {
        return KafkaTracker.create(config);
      } catch (IllegalArgumentException e) {
        throw new InvalidTrackerPropertyException(
            KAFKA_PREFIX + "properties",
            "with the names " + kafka.properties().keySet(),
            "properties the Kafka producer accepts (" + e.getMessage() + ")");
      }
    }

    /** {@code durable.tracker.kafka.bootstrap-servers}, else {@code spring.kafka.bootstrap-servers}. */
    private static String bootstrapServers(DurableTrackerProperties.Kafka kafka, Environment environment) {
      List<String> servers = kafka.bootstrapServers();
      if (servers == null || servers.isEmpty()) {
        servers =
            Binder.get(environment)
                .bind("spring.kafka.bootstrap-servers", Bindable.listOf(String.class))
                .orElse(List.of());
      }
      if (servers.isEmpty()) {
        throw new InvalidTrackerPropertyException(
            KAFKA_PREFIX + "bootstrap-servers",
            null,
            "host:port pairs of the Kafka cluster (required when durable.tracker.type=kafka, unless"
                + " spring.kafka.bootstrap-servers is set)");
      }
      return String.join(",", servers);
    }

    /** Setting names of {@link KafkaTrackerConfig} to property names. */
    private static String propertyName(String setting) {
      return switch (setting) {
        case "bootstrapServers" -> KAFKA_PREFIX + "bootstrap-servers";
        case "topic" -> KAFKA_PREFIX + "topic";
        case "producerProperty", "producerProperties" -> KAFKA_PREFIX + "properties";
        default ->
            setting.startsWith("producerProperty.")
                ? KAFKA_PREFIX + "properties." + setting.substring("producerProperty.".length())
                : HttpTrackerSettings.propertyName(setting);
      };
    }

    private Creation() {}
  }
}
