package dev.durableeffect.tracker.autoconfigure;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/** {@link TrackerHealth} as a Spring Boot 4 health indicator. */
final class Boot4TrackerHealthIndicator implements HealthIndicator {

  private final TrackerHealth health;

  Boot4TrackerHealthIndicator(TrackerHealth health) {
    this.health = health;
  }

  @Override
  public Health health() {
    TrackerHealth.Report report = health.check();
    return Health.status(report.status()).withDetails(report.details()).build();
  }
}
