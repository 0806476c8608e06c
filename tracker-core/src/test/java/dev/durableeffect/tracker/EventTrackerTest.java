package dev.durableeffect.tracker;

import static dev.durableeffect.tracker.TestEvents.stepStarted;
import static dev.durableeffect.tracker.TestEvents.workflowCompleted;
import static dev.durableeffect.tracker.TestEvents.workflowStarted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.durableeffect.tracker.event.BaseEvent;
import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.event.WorkflowEventType;
import dev.durableeffect.tracker.event.WorkflowEvents;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The seed's tracker.test.ts, ported case by case. */
class EventTrackerTest {

  @Nested
  class CreateBaseEventFromCore {
    @Test
    void shouldCreateBaseEventWithEventIdAndTimestamp() {
      BaseEvent base = WorkflowEvents.createBaseEvent("wf-123", "testWorkflow", "exec-456");

      assertThat(base.workflowId()).isEqualTo("wf-123");
      assertThat(base.workflowName()).isEqualTo("testWorkflow");
      assertThat(base.executionId()).isEqualTo("exec-456");
      assertThat(base.eventId()).isNotBlank();
      assertThat(base.timestamp().toString()).matches("^\\d{4}-\\d{2}-\\d{2}T.*");
    }
  }

  @Nested
  class EmitEventHelper {
    @AfterEach
    void noTrackerLeftBehind() {
      EventTracking.current().ifPresent(EventTracking::unregister);
    }

    @Test
    void shouldEmitEventWhenTrackerAvailable() {
      InMemoryTracker tracker = new InMemoryTracker();
      BaseEvent base = WorkflowEvents.createBaseEvent("wf-123", "test");
      try (EventTracking.Scope scope = EventTracking.override(tracker)) {
        EventTracking.emitEvent(workflowStarted(base, Map.of("data", 42)));
      }

      List<WorkflowEvent> events = tracker.getEvents();
      assertThat(events).hasSize(1);
      assertThat(events.get(0).type()).isEqualTo(WorkflowEventType.WORKFLOW_STARTED);
    }

    @Test
    void shouldDoNothingWhenTrackerNotAvailable() {
      BaseEvent base = WorkflowEvents.createBaseEvent("wf-123", "test");

      assertThat(EventTracking.current()).isEmpty();
      assertThatCode(() -> EventTracking.emitEvent(workflowStarted(base, Map.of())))
          .doesNotThrowAnyException();
      assertThat(EventTracking.flushEvents()).isCompleted();
    }
  }

  @Nested
  class NoopTrackerLayer {
    @Test
    void shouldDiscardAllEvents() {
      BaseEvent base = WorkflowEvents.createBaseEvent("wf-123", "test");
      WorkflowEvent event = workflowStarted(base, Map.of());
      NoopTracker tracker = new NoopTracker();

      tracker.emit(event);
      tracker.emit(event);

      assertThat(tracker.pending()).isZero();
      assertThat(tracker.flush()).isCompleted();
    }
  }

  @Nested
  class FlushWithATimeout {
    @Test
    void anInterruptedWaitSaysFalseAndLeavesTheThreadInterrupted() {
      EventTracker neverDone =
          new EventTracker() {
            @Override
            public void emit(WorkflowEvent event) {}

            @Override
            public CompletableFuture<Void> flush() {
              return new CompletableFuture<>();
            }

            @Override
            public long pending() {
              return 1;
            }

            @Override
            public TrackerStats stats() {
              return TrackerStats.EMPTY;
            }

            @Override
            public void close() {}
          };

      Thread.currentThread().interrupt();
      try {
        assertThat(neverDone.flush(Duration.ofMinutes(1))).isFalse();
        assertThat(Thread.currentThread().isInterrupted()).as("the interrupt is kept for the caller").isTrue();
      } finally {
        Thread.interrupted();
      }
    }
  }

  @Nested
  class InMemoryTrackerCases {
    InMemoryTracker tracker;
    EventTracking.Scope scope;

    @BeforeEach
    void setUp() {
      tracker = new InMemoryTracker();
      scope = EventTracking.override(tracker);
    }

    @AfterEach
    void tearDown() {
      scope.close();
    }

    @Test
    void shouldRecordAllEvents() {
      BaseEvent base = WorkflowEvents.createBaseEvent("wf-123", "test");

      EventTracking.emitEvent(workflowStarted(base, Map.of()));
      EventTracking.emitEvent(stepStarted(base, "step1", 1));
      EventTracking.emitEvent(workflowCompleted(base, 100, List.of("step1")));

      assertThat(tracker.getEvents()).hasSize(3);
      assertThat(tracker.pending()).isEqualTo(3);
    }

    @Test
    void shouldFilterEventsByType() {
      BaseEvent base = WorkflowEvents.createBaseEvent("wf-123", "test");

      EventTracking.emitEvent(workflowStarted(base, Map.of()));
      EventTracking.emitEvent(stepStarted(base, "step1", 1));
      EventTracking.emitEvent(stepStarted(base, "step2", 1));

      assertThat(tracker.getEventsByType(WorkflowEventType.STEP_STARTED)).hasSize(2);
      assertThat(tracker.getEventsByType(WorkflowEvent.StepStarted.class))
          .extracting(WorkflowEvent.StepStarted::stepName)
          .containsExactly("step1", "step2");
    }

    @Test
    void shouldCheckForEventPresence() {
      BaseEvent base = WorkflowEvents.createBaseEvent("wf-123", "test");

      assertThat(tracker.hasEvent(WorkflowEventType.WORKFLOW_STARTED)).isFalse();
      EventTracking.emitEvent(workflowStarted(base, Map.of()));
      assertThat(tracker.hasEvent(WorkflowEventType.WORKFLOW_STARTED)).isTrue();
    }

    @Test
    void shouldClearEvents() {
      BaseEvent base = WorkflowEvents.createBaseEvent("wf-123", "test");
      EventTracking.emitEvent(workflowStarted(base, Map.of()));

      tracker.clear();

      assertThat(tracker.getEvents()).isEmpty();
      assertThat(tracker.stats()).isEqualTo(TrackerStats.EMPTY);
    }
  }
}
