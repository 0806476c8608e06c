package dev.durableeffect.tracker.autoconfigure;

import dev.durableeffect.tracker.DropReason;
import dev.durableeffect.tracker.EventTracker;
import dev.durableeffect.tracker.TrackerStats;
import dev.durableeffect.tracker.delivery.DeliveringTracker;
import dev.durableeffect.tracker.http.DeliveryStatus;
import dev.durableeffect.tracker.http.HttpBatchTracker;
import dev.durableeffect.tracker.spool.SpoolStatus;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tracker's health, independent of the Actuator line (Boot 3.5 and 4.0 have different health
 * APIs; thin adapters turn this report into theirs). Never shows header values or credentials.
 */
final class TrackerHealth {

  /** A status code ({@code UP}, {@code DOWN}, ...) and details. */
  record Report(String status, Map<String, Object> details) {}

  private final EventTracker tracker;
  private final Duration failingAfter;
  private final String failingStatus;
  private final Clock clock;
  private final Instant createdAt;

  TrackerHealth(EventTracker tracker, DurableTrackerProperties.Health settings, Clock clock) {
    this.tracker = tracker;
    this.failingAfter = settings.failingAfter();
    this.failingStatus = settings.failingStatus();
    this.clock = clock;
    this.createdAt = clock.instant();
  }

  Report check() {
    TrackerStats stats = tracker.stats();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("type", TrackerKind.of(tracker));
    String status = "UP";
    if (tracker instanceof DeliveringTracker http) {
      if (http instanceof HttpBatchTracker web) {
        details.put("endpoint", origin(web.config().endpoint()));
      } else {
        details.put("destination", http.destination());
      }
      DeliveryStatus delivery = http.deliveryStatus();
      if (delivery.lastSuccess() != null) {
        details.put("lastSuccess", delivery.lastSuccess().toString());
      }
      if (delivery.lastFailure() != null) {
        details.put("lastFailure", delivery.lastFailure().toString());
        details.put("lastFailureReason", delivery.lastFailureReason());
      }
      details.put("consecutiveFailures", delivery.consecutiveFailures());
      details.put("queueSize", http.queueSize());
      details.put("queueCapacity", http.queueCapacity());
      SpoolStatus spool = http.spoolStatus();
      if (spool != null) {
        Map<String, Object> spoolDetails = new LinkedHashMap<>();
        spoolDetails.put("directory", spool.directory().toString());
        spoolDetails.put("bytes", spool.bytes());
        spoolDetails.put("segments", spool.segments());
        spoolDetails.put("oldestAge", spool.oldestAge().toString());
        spoolDetails.put("failures", spool.failures());
        if (spool.lastFailure() != null) {
          spoolDetails.put("lastFailure", spool.lastFailure());
        }
        details.put("spool", spoolDetails);
      }
      Instant lastGood = delivery.lastSuccess() != null ? delivery.lastSuccess() : createdAt;
      boolean failing =
          stats.pending() > 0
              && delivery.consecutiveFailures() > 0
              && Duration.between(lastGood, clock.instant()).compareTo(failingAfter) > 0;
      if (failing) {
        status = failingStatus;
        details.put("problem", "no request has succeeded for over " + failingAfter + " while events wait");
      }
    }
    details.put("pending", stats.pending());
    if (stats.recovered() > 0) {
      details.put("recovered", stats.recovered());
    }
    details.put("emitted", stats.emitted());
    details.put("delivered", stats.delivered());
    details.put("dropped", stats.dropped());
    Map<String, Long> byReason = new LinkedHashMap<>();
    for (DropReason reason : DropReason.values()) {
      if (stats.dropped(reason) > 0) {
        byReason.put(reason.name(), stats.dropped(reason));
      }
    }
    details.put("droppedByReason", byReason);
    return new Report(status, details);
  }

  /** scheme://host[:port]: no credentials, path or query. */
  static String origin(URI endpoint) {
    return endpoint.getScheme() + "://" + endpoint.getHost() + (endpoint.getPort() >= 0 ? ":" + endpoint.getPort() : "");
  }
}
