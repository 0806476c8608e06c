package dev.durableeffect.tracker.autoconfigure;

import dev.durableeffect.tracker.EventTracker;
import dev.durableeffect.tracker.InMemoryTracker;
import dev.durableeffect.tracker.NoopTracker;
import dev.durableeffect.tracker.http.HttpBatchTracker;

/** The {@code tracker.type} tag and health detail of a tracker: http, kafka, noop, in-memory or custom. */
final class TrackerKind {

  /** Compared by name: tracker-kafka is optional, so the class may be missing. */
  private static final String KAFKA_TRACKER = "dev.durableeffect.tracker.kafka.KafkaTracker";

  private TrackerKind() {}

  static String of(EventTracker tracker) {
    if (tracker instanceof HttpBatchTracker) {
      return "http";
    }
    if (tracker.getClass().getName().equals(KAFKA_TRACKER)) {
      return "kafka";
    }
    if (tracker instanceof NoopTracker) {
      return "noop";
    }
    if (tracker instanceof InMemoryTracker) {
      return "in-memory";
    }
    return "custom";
  }
}
