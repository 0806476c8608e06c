package dev.durableeffect.tracker.autoconfigure;

import dev.durableeffect.tracker.EventTracker;
import dev.durableeffect.tracker.InMemoryTracker;
import dev.durableeffect.tracker.NoopTracker;
import dev.durableeffect.tracker.http.HttpBatchTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;

/**
 * Registers the tracker chosen by {@code durable.tracker.type} (http, noop, in-memory or kafka), unless the
 * application defines its own {@link EventTracker}, and gives whichever tracker there is the same
 * lifecycle: registered with {@code EventTracking} on start, flushed on shutdown, closed with the
 * context.
 *
 * <p>The type is chosen when the tracker bean is created, from the properties bound then, not by a
 * condition: conditions of an application processed ahead of time (Spring AOT, native images) are
 * evaluated once, at build time, so an endpoint given only at run time (an environment variable)
 * would otherwise find a no-op tracker baked in.
 */
@AutoConfiguration
@ConditionalOnClass(EventTracker.class)
@ConditionalOnProperty(prefix = "durable.tracker", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(DurableTrackerProperties.class)
@Import(DurableTrackerAutoConfiguration.TrackerConfiguration.class)
public class DurableTrackerAutoConfiguration {

  private static final Logger LOGGER = LoggerFactory.getLogger(DurableTrackerAutoConfiguration.class);

  /** Registers, and on shutdown drains and closes, whichever tracker the context has, ours or the application's. */
  @Bean
  @ConditionalOnBean(EventTracker.class)
  @ConditionalOnMissingBean(TrackerLifecycle.class)
  TrackerLifecycle durableTrackerLifecycle(EventTracker tracker) {
    return new TrackerLifecycle(tracker);
  }

  /** The tracker itself, imported so that it is defined before the lifecycle's condition is evaluated. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnMissingBean(EventTracker.class)
  static class TrackerConfiguration {

    /**
     * The tracker {@code durable.tracker.type} selects: unset means http when {@code
     * durable.tracker.endpoint} is set, otherwise noop. {@code durable.tracker.enabled=false} at run
     * time (only reachable in an application processed ahead of time with tracking enabled) gives the
     * no-op tracker. The http tracker sends through its own HTTP client, never the application's
     * {@code WebClient.Builder} or {@code RestClient.Builder}: their default headers, filters and
     * observation must not reach the tracking endpoint. {@link TrackerHttpClientCustomizer} beans
     * customize it.
     */
    @Bean
    EventTracker durableEventTracker(
        DurableTrackerProperties properties,
        Environment environment,
        ObjectProvider<SslBundles> sslBundles,
        ObjectProvider<TrackerRequestHeaders> requestHeaders,
        ObjectProvider<TrackerHttpClientCustomizer> customizers) {
      TrackerType type = properties.enabled() ? selectedType(properties) : TrackerType.NOOP;
      return switch (type) {
        case HTTP -> httpEventTracker(properties, environment, sslBundles, requestHeaders, customizers);
        case IN_MEMORY -> new InMemoryTracker();
        case NOOP -> noopEventTracker(properties);
        case KAFKA -> KafkaTrackerSettings.createTracker(properties, environment);
      };
    }

    /** {@code durable.tracker.type}, else http when an endpoint is set, else noop. */
    static TrackerType selectedType(DurableTrackerProperties properties) {
      if (properties.type() != null) {
        return properties.type();
      }
      return StringUtils.hasText(properties.endpoint()) ? TrackerType.HTTP : TrackerType.NOOP;
    }

    /** The http tracker: batches events and POSTs them to the endpoint. */
    private static HttpBatchTracker httpEventTracker(
        DurableTrackerProperties properties,
        Environment environment,
        ObjectProvider<SslBundles> sslBundles,
        ObjectProvider<TrackerRequestHeaders> requestHeaders,
        ObjectProvider<TrackerHttpClientCustomizer> customizers) {
      return HttpTrackerSettings.createTracker(
          properties,
          environment,
          sslBundles.getIfAvailable(),
          requestHeaders.orderedStream().toList(),
          customizers.orderedStream().toList());
    }

    /** The no-op tracker: tracking is off. */
    private static NoopTracker noopEventTracker(DurableTrackerProperties properties) {
      if (!properties.enabled()) {
        LOGGER.info("durable-tracker: durable.tracker.enabled is false, so workflow event tracking is off");
      } else if (properties.type() == null) {
        LOGGER.info(
            "durable-tracker: no durable.tracker.endpoint is set, so workflow event tracking is off;"
                + " set durable.tracker.endpoint to send events");
      }
      return new NoopTracker();
    }
  }
}
