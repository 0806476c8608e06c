package dev.durableeffect.tracker.autoconfigure;

import dev.durableeffect.tracker.EventTracker;
import dev.durableeffect.tracker.InMemoryTracker;
import dev.durableeffect.tracker.NoopTracker;
import dev.durableeffect.tracker.http.HttpBatchTracker;

/** The {@code tracker.type} tag and health detail of a tracker: http, noop, in-memory or custom. */
final class TrackerKind {

  private TrackerKind() {}

  static String of(EventTracker tracker) {
    if (tracker instanceof HttpBatchTracker) {
      return "http";
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
