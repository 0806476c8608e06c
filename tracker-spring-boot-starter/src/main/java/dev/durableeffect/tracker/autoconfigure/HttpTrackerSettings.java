package dev.durableeffect.tracker.autoconfigure;

import dev.durableeffect.tracker.http.HttpBatchTracker;
import dev.durableeffect.tracker.http.HttpBatchTrackerConfig;
import dev.durableeffect.tracker.http.HttpProxy;
import dev.durableeffect.tracker.http.InvalidSettingException;
import dev.durableeffect.tracker.spool.SpoolConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLParameters;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;
import org.springframework.util.unit.DataSize;

/**
 * The one place that turns {@code durable.tracker.*} properties into an {@link
 * HttpBatchTrackerConfig}, and builds the http tracker with its own client.
 */
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
    String serviceKey = serviceKey(properties, environment);
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
          .proxy(proxy(properties.proxy()))
          .spool(spool(properties.spool()))
          .build();
    } catch (InvalidSettingException e) {
      throw new InvalidTrackerPropertyException(propertyName(e.setting()), e.value(), e.expected());
    }
  }

  /**
   * The http tracker with its own HTTP client, never the application's: the configuration from
   * the properties, TLS from {@code durable.tracker.ssl.bundle}, per-request headers from the
   * {@link TrackerRequestHeaders} beans, then the {@link TrackerHttpClientCustomizer} beans.
   *
   * @throws InvalidTrackerPropertyException naming the property, its value and what is valid
   */
  static HttpBatchTracker createTracker(
      DurableTrackerProperties properties,
      Environment environment,
      @Nullable SslBundles sslBundles,
      List<TrackerRequestHeaders> requestHeaders,
      List<TrackerHttpClientCustomizer> customizers) {
    HttpBatchTrackerConfig.Builder config = toConfig(properties, environment).toBuilder();
    SslBundle bundle = sslBundle(properties.ssl().bundle(), sslBundles);
    if (bundle != null) {
      config.sslContext(bundle.createSslContext());
    }
    if (!requestHeaders.isEmpty()) {
      config.headers(() -> merged(requestHeaders));
    }
    return HttpBatchTracker.create(
        config.build(),
        builder -> {
          if (bundle != null && bundle.getOptions().isSpecified()) {
            SSLParameters parameters = new SSLParameters();
            parameters.setCipherSuites(bundle.getOptions().getCiphers());
            parameters.setProtocols(bundle.getOptions().getEnabledProtocols());
            builder.sslParameters(parameters);
          }
          customizers.forEach(customizer -> customizer.customize(builder));
        });
  }

  private static @Nullable SslBundle sslBundle(@Nullable String name, @Nullable SslBundles sslBundles) {
    if (!StringUtils.hasText(name)) {
      return null;
    }
    String valid = "the name of an SSL bundle configured under spring.ssl.bundle.jks.* or spring.ssl.bundle.pem.*";
    if (sslBundles == null) {
      throw new InvalidTrackerPropertyException(PREFIX + "ssl.bundle", name, valid + " (no SSL bundles are configured)");
    }
    try {
      return sslBundles.getBundle(name);
    } catch (NoSuchSslBundleException e) {
      throw new InvalidTrackerPropertyException(
          PREFIX + "ssl.bundle", name, valid + " (configured: " + sslBundles.getBundleNames() + ")");
    }
  }

  /** The headers of every bean, in order; a later bean's header replaces an earlier one's. */
  private static Map<String, String> merged(List<TrackerRequestHeaders> requestHeaders) {
    if (requestHeaders.size() == 1) {
      return requestHeaders.get(0).headers();
    }
    Map<String, String> all = new LinkedHashMap<>();
    for (TrackerRequestHeaders headers : requestHeaders) {
      Map<String, String> some = headers.headers();
      if (some != null) {
        all.putAll(some);
      }
    }
    return all;
  }

  /** The spool from {@code durable.tracker.spool.*}, or null when no directory is set. */
  static @Nullable SpoolConfig spool(DurableTrackerProperties.Spool spool) {
    if (spool.directory() == null || spool.directory().toString().isBlank()) {
      return null;
    }
    long maxBytes = spool.maxSize().toBytes();
    if (maxBytes < SpoolConfig.MIN_MAX_BYTES) {
      throw new InvalidTrackerPropertyException(
          PREFIX + "spool.max-size", spool.maxSize().toString(), "a size of at least 1MB, such as 256MB");
    }
    Duration maxAge = spool.maxAge();
    if (maxAge.isNegative() || maxAge.isZero() || maxAge.compareTo(HttpBatchTrackerConfig.MAX_DURATION) > 0) {
      throw new InvalidTrackerPropertyException(
          PREFIX + "spool.max-age", maxAge.toString(), "a duration greater than 0 and at most 36500 days, such as 7d");
    }
    Duration sync = spool.syncInterval();
    if (sync.isNegative() || sync.compareTo(Duration.ofDays(1)) > 0) {
      throw new InvalidTrackerPropertyException(
          PREFIX + "spool.sync-interval", sync.toString(), "a duration from 0 (every write) to 1d, such as 1s");
    }
    return SpoolConfig.builder(spool.directory())
        .maxBytes(maxBytes)
        .maxAge(maxAge)
        .syncInterval(sync)
        .build();
  }

  /** The proxy from {@code durable.tracker.proxy.*}, or null when no host is set. */
  private static @Nullable HttpProxy proxy(DurableTrackerProperties.Proxy proxy) {
    if (!StringUtils.hasText(proxy.host())) {
      if (proxy.port() != null || StringUtils.hasText(proxy.username()) || proxy.password() != null) {
        throw new InvalidTrackerPropertyException(
            PREFIX + "proxy.host", null, "the proxy's host name or address (other durable.tracker.proxy.* properties are set)");
      }
      return null;
    }
    if (proxy.port() == null) {
      throw new InvalidTrackerPropertyException(
          PREFIX + "proxy.port", null, "a port from 1 to 65535 (required with durable.tracker.proxy.host)");
    }
    return new HttpProxy(
        proxy.host(),
        proxy.port(),
        proxy.username(),
        proxy.password(),
        proxy.nonProxyHosts() == null ? List.of() : proxy.nonProxyHosts());
  }

  /**
   * {@code durable.tracker.service-key}, else {@code spring.application.name}.
   *
   * @throws InvalidTrackerPropertyException when neither is set
   */
  static String serviceKey(DurableTrackerProperties properties, Environment environment) {
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
    return serviceKey;
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
