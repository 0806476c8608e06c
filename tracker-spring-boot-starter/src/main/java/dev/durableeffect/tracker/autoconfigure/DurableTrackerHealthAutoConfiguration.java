package dev.durableeffect.tracker.autoconfigure;

import dev.durableeffect.tracker.EventTracker;
import java.time.Clock;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * The {@code durableTracker} health indicator, when Actuator's health support is present; off with
 * {@code management.health.durable-tracker.enabled=false}. Boot 3.5 and 4.0 keep the health API in
 * different packages, so each line gets its own small adapter of {@link TrackerHealth}.
 */
@AutoConfiguration(after = DurableTrackerAutoConfiguration.class)
@ConditionalOnBean(EventTracker.class)
@Conditional(HealthIndicatorEnabledCondition.class)
public class DurableTrackerHealthAutoConfiguration {

  /** Spring Boot 4. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
  static class Boot4Health {

    @Bean
    @ConditionalOnMissingBean(name = "durableTrackerHealthIndicator")
    Boot4TrackerHealthIndicator durableTrackerHealthIndicator(
        EventTracker tracker, DurableTrackerProperties properties) {
      return new Boot4TrackerHealthIndicator(new TrackerHealth(tracker, properties.health(), Clock.systemUTC()));
    }
  }

  /** Spring Boot 3.5. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.actuate.health.HealthIndicator")
  static class Boot3Health {

    @Bean
    @ConditionalOnMissingBean(name = "durableTrackerHealthIndicator")
    Boot3TrackerHealthIndicator durableTrackerHealthIndicator(
        EventTracker tracker, DurableTrackerProperties properties) {
      return new Boot3TrackerHealthIndicator(new TrackerHealth(tracker, properties.health(), Clock.systemUTC()));
    }
  }
}
