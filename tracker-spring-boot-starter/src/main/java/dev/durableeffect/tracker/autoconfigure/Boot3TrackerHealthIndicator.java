package dev.durableeffect.tracker.autoconfigure;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/** {@link TrackerHealth} as a Spring Boot 3 health indicator. */
final class Boot3TrackerHealthIndicator implements HealthIndicator {

  private final TrackerHealth health;

  Boot3TrackerHealthIndicator(TrackerHealth health) {
    this.health = health;
  }

  @Override
  public Health health() {
    TrackerHealth.Report report = health.check();
    return Health.status(report.status()).withDetails(report.details()).build();
  }
}
