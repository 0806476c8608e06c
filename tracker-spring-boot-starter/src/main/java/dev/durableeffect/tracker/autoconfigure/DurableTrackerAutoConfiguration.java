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

/**
 * Registers the tracker chosen by {@code durable.tracker.type} (http, noop or in-memory), unless the
 * application defines its own {@link EventTracker}, and gives whichever tracker there is the same
 * lifecycle: registered with {@code EventTracking} on start, flushed on shutdown, closed with the
 * context.
 */
@AutoConfiguration
@ConditionalOnClass(EventTracker.class)
@ConditionalOnProperty(prefix = "durable.tracker", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(DurableTrackerProperties.class)
@Import({
  DurableTrackerAutoConfiguration.HttpTrackerConfiguration.class,
  DurableTrackerAutoConfiguration.InMemoryTrackerConfiguration.class,
  DurableTrackerAutoConfiguration.NoopTrackerConfiguration.class
})
public class DurableTrackerAutoConfiguration {

  private static final Logger LOGGER = LoggerFactory.getLogger(DurableTrackerAutoConfiguration.class);

  /** Registers, and on shutdown drains and closes, whichever tracker the context has, ours or the application's. */
  @Bean
  @ConditionalOnBean(EventTracker.class)
  @ConditionalOnMissingBean(TrackerLifecycle.class)
  TrackerLifecycle durableTrackerLifecycle(EventTracker tracker) {
    return new TrackerLifecycle(tracker);
  }

  /** The http tracker: batches events and POSTs them to the endpoint. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnTrackerType(TrackerType.HTTP)
  @ConditionalOnMissingBean(EventTracker.class)
  static class HttpTrackerConfiguration {

    /**
     * Sends through its own HTTP client, never the application's {@code WebClient.Builder} or
     * {@code RestClient.Builder}: their default headers, filters and observation must not reach the
     * tracking endpoint. {@link TrackerHttpClientCustomizer} beans customize it.
     */
    @Bean
    HttpBatchTracker httpEventTracker(
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
  }

  /** The in-memory tracker, for tests and demos. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnTrackerType(TrackerType.IN_MEMORY)
  @ConditionalOnMissingBean(EventTracker.class)
  static class InMemoryTrackerConfiguration {

    @Bean
    InMemoryTracker inMemoryEventTracker() {
      return new InMemoryTracker();
    }
  }

  /** The no-op tracker: tracking is off. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnTrackerType(TrackerType.NOOP)
  @ConditionalOnMissingBean(EventTracker.class)
  static class NoopTrackerConfiguration {

    @Bean
    NoopTracker noopEventTracker(DurableTrackerProperties properties) {
      if (properties.type() == null) {
        LOGGER.info(
            "durable-tracker: no durable.tracker.endpoint is set, so workflow event tracking is off;"
                + " set durable.tracker.endpoint to send events");
      }
      return new NoopTracker();
    }
  }
}
