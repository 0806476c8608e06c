package dev.durableeffect.tracker.autoconfigure;

import dev.durableeffect.tracker.EventTracker;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Micrometer meters of the tracker ({@code durable.tracker.*}), when Micrometer is on the classpath
 * and a {@code MeterRegistry} bean exists.
 */
@AutoConfiguration(
    after = DurableTrackerAutoConfiguration.class,
    afterName = {
      // Where the MeterRegistry comes from on Boot 4 and on Boot 3.5.
      "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
      "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration"
    })
@ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
@ConditionalOnBean(type = "io.micrometer.core.instrument.MeterRegistry", value = EventTracker.class)
public class DurableTrackerMetricsAutoConfiguration {

  /** Binds the meters, unless the application defines its own {@link TrackerMetrics}. */
  @Bean
  @ConditionalOnMissingBean
  TrackerMetrics durableTrackerMetrics(EventTracker tracker) {
    return new TrackerMetrics(tracker);
  }
}
