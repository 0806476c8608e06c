package dev.durableeffect.tracker.sample;

import dev.durableeffect.tracker.DropReason;
import dev.durableeffect.tracker.EventTracker;
import dev.durableeffect.tracker.TrackerStats;
import dev.durableeffect.tracker.http.DeliveryStatus;
import dev.durableeffect.tracker.http.HttpBatchTracker;
import dev.durableeffect.tracker.http.SendOutcome;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The page's operating panel: what the tracker has emitted, delivered, dropped (by reason) and
 * holds, how its requests fare, and the switch that makes the embedded collector fail for a while.
 */
@RestController
public class OperationsController {

  private final EventTracker tracker;
  private final EventStore store;
  private final CollectorFault fault;
  private final Map<SendOutcome, LongAdder> requests = new EnumMap<>(SendOutcome.class);

  public OperationsController(EventTracker tracker, EventStore store, CollectorFault fault) {
    this.tracker = tracker;
    this.store = store;
    this.fault = fault;
    for (SendOutcome outcome : SendOutcome.values()) {
      requests.put(outcome, new LongAdder());
    }
    if (tracker instanceof HttpBatchTracker http) {
      http.addSendListener(report -> requests.get(report.outcome()).increment());
    }
  }

  /** The tracker's accounting and the collector's state, polled by the page. */
  @GetMapping("/api/tracker")
  public Map<String, Object> tracker() {
    TrackerStats stats = tracker.stats();
    Map<String, Object> panel = new LinkedHashMap<>();
    panel.put("emitted", stats.emitted());
    panel.put("delivered", stats.delivered());
    panel.put("dropped", stats.dropped());
    Map<String, Long> byReason = new LinkedHashMap<>();
    for (DropReason reason : DropReason.values()) {
      byReason.put(reason.name(), stats.dropped(reason));
    }
    panel.put("droppedByReason", byReason);
    panel.put("pending", stats.pending());
    if (tracker instanceof HttpBatchTracker http) {
      panel.put("endpoint", http.config().redactedEndpoint());
      panel.put("queueSize", http.queueSize());
      panel.put("queueCapacity", http.config().maxQueueSize());
      DeliveryStatus delivery = http.deliveryStatus();
      panel.put("consecutiveFailures", delivery.consecutiveFailures());
      panel.put("lastFailureReason", delivery.lastFailureReason());
    }
    Map<String, Long> byOutcome = new LinkedHashMap<>();
    requests.forEach((outcome, count) -> byOutcome.put(outcome.name().toLowerCase(Locale.ROOT), count.sum()));
    panel.put("requests", byOutcome);
    panel.put("collector", collector());
    return panel;
  }

  /**
   * Makes the collector fail: {@code mode=fail} answers 503, {@code mode=hang} holds requests, for
   * {@code seconds} (1 to {@value CollectorFault#MAX_SECONDS}). Answers the collector's state, or
   * 400 naming what is wrong.
   */
  @PostMapping("/api/collector/fault")
  public ResponseEntity<Map<String, Object>> startFault(
      @RequestParam(name = "mode", required = false) @Nullable String mode,
      @RequestParam(name = "seconds", required = false) @Nullable Integer seconds) {
    Optional<CollectorFault.Mode> parsed = CollectorFault.Mode.parse(mode);
    if (parsed.isEmpty()) {
      return badRequest("mode must be fail or hang but was " + mode);
    }
    if (seconds == null || seconds < 1 || seconds > CollectorFault.MAX_SECONDS) {
      return badRequest("seconds must be between 1 and " + CollectorFault.MAX_SECONDS + " but was " + seconds);
    }
    fault.start(parsed.get(), Duration.ofSeconds(seconds));
    return ResponseEntity.ok(collector());
  }

  /** Ends the collector's fault now. */
  @DeleteMapping("/api/collector/fault")
  public Map<String, Object> stopFault() {
    fault.stop();
    return collector();
  }

  private Map<String, Object> collector() {
    Map<String, Object> collector = new LinkedHashMap<>();
    collector.put("stored", store.size());
    collector.put("duplicates", store.duplicatesSeen());
    collector.put("faultedRequests", fault.faultedRequests());
    fault.current().ifPresentOrElse(
        active -> {
          collector.put("fault", active.mode().label());
          collector.put("faultSecondsLeft", Math.max(1, (fault.remaining().toMillis() + 999) / 1000));
        },
        () -> collector.put("fault", "none"));
    return collector;
  }

  private static ResponseEntity<Map<String, Object>> badRequest(String message) {
    return ResponseEntity.status(HttpStatus.BAD_REQUEST).body(Map.of("error", message));
  }
}
