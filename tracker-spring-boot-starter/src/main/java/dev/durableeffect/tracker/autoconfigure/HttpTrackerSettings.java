package dev.durableeffect.tracker.autoconfigure;

import dev.durableeffect.tracker.http.HttpBatchTrackerConfig;
import dev.durableeffect.tracker.http.InvalidSettingException;
import java.util.Set;
import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;
import org.springframework.util.unit.DataSize;

/** The one place that turns {@code durable.tracker.*} properties into an {@link HttpBatchTrackerConfig}. */
final class HttpTrackerSettings {

  static final String PREFIX = "durable.tracker.";
  private static final Set<String> RETRY_SETTINGS = Set.of("maxAttempts", "initialDelay", "maxDelay");

  private HttpTrackerSettings() {}

  /**
   * Builds the tracker configuration.
   *
   * @throws InvalidTrackerPropertyException naming the property, its value and what is valid
   */
  static HttpBatchTrackerConfig toConfig(DurableTrackerProperties properties, Environment environment) {
    if (!StringUtils.hasText(properties.endpoint())) {
      throw new InvalidTrackerPropertyException(
          PREFIX + "endpoint", null, "an http or https URL (required when durable.tracker.type=http)");
    }
    String serviceKey =
        StringUtils.hasText(properties.serviceKey())
            ? properties.serviceKey()
            : environment.getProperty("spring.application.name");
    if (!StringUtils.hasText(serviceKey)) {
      throw new InvalidTrackerPropertyException(
          PREFIX + "service-key",
          null,
          "a key naming this service (or set spring.application.name, its default)");
    }
    try {
      return HttpBatchTrackerConfig.builder()
          .endpoint(properties.endpoint())
          .env(env(properties, environment))
          .serviceKey(serviceKey)
          .batchSize(properties.batchSize())
          .maxBatchSize(properties.maxBatchSize())
          .flushInterval(properties.flushInterval())
          .headers(properties.headers())
          .maxAttempts(properties.retry().maxAttempts())
          .initialDelay(properties.retry().initialDelay())
          .maxDelay(properties.retry().maxDelay())
          .maxQueueSize(properties.maxQueueSize())
          .requestTimeout(properties.requestTimeout())
          .compression(properties.compression())
          .maxBatchBytes(bytes(properties.maxBatchBytes(), "max-batch-bytes"))
          .maxEventBytes(bytes(properties.maxEventBytes(), "max-event-bytes"))
          .shutdownTimeout(properties.shutdownTimeout())
          .build();
    } catch (InvalidSettingException e) {
      throw new InvalidTrackerPropertyException(propertyName(e.setting()), e.value(), e.expected());
    }
  }

  /** {@code durable.tracker.env}, else the first active profile, else {@code default}. */
  static String env(DurableTrackerProperties properties, Environment environment) {
    if (StringUtils.hasText(properties.env())) {
      return properties.env();
    }
    String[] profiles = environment.getActiveProfiles();
    return profiles.length > 0 ? profiles[0] : "default";
  }

  /** {@code batchSize} to {@code durable.tracker.batch-size}, {@code maxAttempts} to {@code durable.tracker.retry.max-attempts}. */
  static String propertyName(String setting) {
    if (setting.startsWith("headers.")) {
      return PREFIX + setting;
    }
    StringBuilder kebab = new StringBuilder(RETRY_SETTINGS.contains(setting) ? "retry." : "");
    for (char c : setting.toCharArray()) {
      if (Character.isUpperCase(c)) {
        kebab.append('-').append(Character.toLowerCase(c));
      } else {
        kebab.append(c);
      }
    }
    return PREFIX + kebab;
  }

  private static int bytes(DataSize size, String property) {
    long bytes = size.toBytes();
    if (bytes <= 0 || bytes > Integer.MAX_VALUE) {
      throw new InvalidTrackerPropertyException(
          PREFIX + property, size.toString(), "a size greater than 0 and below 2GB, such as 1MB");
    }
    return (int) bytes;
  }
}
