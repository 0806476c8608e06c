package dev.durableeffect.tracker;

import dev.durableeffect.tracker.event.WorkflowEvent;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/**
 * Process-wide access to the tracker for code that has none injected: the counterpart of the
 * reference's {@code emitEvent} and {@code flushEvents}, which use the tracker "if available". With
 * no tracker registered both are silent no-ops. The Spring Boot starter registers its tracker here.
 */
public final class EventTracking {

  private static final RateLimitedLog LOG =
      new RateLimitedLog(LoggerFactory.getLogger(EventTracking.class), Duration.ofSeconds(30));
  private static volatile @Nullable EventTracker current;

  private EventTracking() {}

  /** Emits through the registered tracker, if any. Never throws. */
  public static void emitEvent(WorkflowEvent event) {
    EventTracker tracker = current;
    if (tracker == null) {
      return;
    }
    try {
      tracker.emit(event);
    } catch (RuntimeException e) {
      LOG.log(
          RateLimitedLog.Level.WARN,
          "emit-failed",
          1,
          "durable-tracker: tracker " + tracker.getClass().getName() + " threw from emit: " + e);
    }
  }

  /** Flushes the registered tracker, if any; completes at once when there is none. */
  public static CompletableFuture<Void> flushEvents() {
    EventTracker tracker = current;
    if (tracker == null) {
      return CompletableFuture.completedFuture(null);
    }
    try {
      return tracker.flush().exceptionally(e -> null);
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(null);
    }
  }

  /** The registered tracker, if any. */
  public static Optional<EventTracker> current() {
    return Optional.ofNullable(current);
  }

  /** Makes {@code tracker} the process-wide tracker, replacing any other. */
  public static synchronized void register(EventTracker tracker) {
    current = tracker;
  }

  /**
   * Removes {@code tracker} if it is the registered one.
   *
   * @return whether it was registered
   */
  public static synchronized boolean unregister(EventTracker tracker) {
    if (current == tracker) {
      current = null;
      return true;
    }
    return false;
  }

  /**
   * Registers {@code tracker} until the returned scope is closed, then restores the one before: for
   * tests, in a try-with-resources block.
   */
  public static synchronized Scope override(EventTracker tracker) {
    EventTracker previous = current;
    current = tracker;
    return new Scope(previous);
  }

  /** An override in force; closing it restores the tracker registered before. */
  public static final class Scope implements AutoCloseable {
    private final @Nullable EventTracker previous;

    private Scope(@Nullable EventTracker previous) {
      this.previous = previous;
    }

    @Override
    public void close() {
      synchronized (EventTracking.class) {
        current = previous;
      }
    }
  }
}
