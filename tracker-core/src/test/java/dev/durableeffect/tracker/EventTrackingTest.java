package dev.durableeffect.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.durableeffect.tracker.event.WorkflowEvent;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EventTrackingTest {

  @AfterEach
  void clear() {
    EventTracking.current().ifPresent(EventTracking::unregister);
  }

  @Test
  void overrideRestoresThePreviousTracker() {
    InMemoryTracker outer = new InMemoryTracker();
    InMemoryTracker inner = new InMemoryTracker();
    EventTracking.register(outer);

    try (EventTracking.Scope scope = EventTracking.override(inner)) {
      EventTracking.emitEvent(TestEvents.numbered(1));
    }
    EventTracking.emitEvent(TestEvents.numbered(2));

    assertThat(inner.getEvents()).hasSize(1);
    assertThat(outer.getEvents()).hasSize(1);
    assertThat(EventTracking.current()).containsSame(outer);
  }

  @Test
  void unregisterOnlyRemovesTheRegisteredTracker() {
    InMemoryTracker registered = new InMemoryTracker();
    EventTracking.register(registered);

    assertThat(EventTracking.unregister(new InMemoryTracker())).isFalse();
    assertThat(EventTracking.unregister(registered)).isTrue();
    assertThat(EventTracking.current()).isEmpty();
  }

  @Test
  void aThrowingTrackerNeverReachesTheCaller() {
    EventTracker broken =
        new EventTracker() {
          @Override
          public void emit(WorkflowEvent event) {
            throw new IllegalStateException("boom");
          }

          @Override
          public CompletableFuture<Void> flush() {
            return CompletableFuture.failedFuture(new IllegalStateException("boom"));
          }

          @Override
          public long pending() {
            return 0;
          }

          @Override
          public TrackerStats stats() {
            return TrackerStats.EMPTY;
          }

          @Override
          public void close() {}
        };
    EventTracking.register(broken);

    assertThatCode(() -> EventTracking.emitEvent(TestEvents.numbered(1))).doesNotThrowAnyException();
    assertThat(EventTracking.flushEvents()).isCompletedWithValue(null);
  }

  @Test
  void flushEventsCompletesWhenTheRegisteredTrackersFlushDoes() {
    CompletableFuture<Void> trackerFlush = new CompletableFuture<>();
    EventTracking.register(flushingWith(trackerFlush));

    CompletableFuture<Void> flushed = EventTracking.flushEvents();

    assertThat(flushed).as("while the tracker still delivers").isNotDone();
    trackerFlush.complete(null);
    assertThat(flushed).isCompletedWithValue(null);
  }

  private static EventTracker flushingWith(CompletableFuture<Void> flush) {
    return new EventTracker() {
      @Override
      public void emit(WorkflowEvent event) {}

      @Override
      public CompletableFuture<Void> flush() {
        return flush;
      }

      @Override
      public long pending() {
        return 0;
      }

      @Override
      public TrackerStats stats() {
        return TrackerStats.EMPTY;
      }

      @Override
      public void close() {}
    };
  }
}
