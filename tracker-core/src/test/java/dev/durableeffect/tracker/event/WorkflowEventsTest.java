package dev.durableeffect.tracker.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class WorkflowEventsTest {

  @Test
  void eventIdsAreLowerCaseUuidVersion7() {
    BaseEvent base = WorkflowEvents.createBaseEvent("wf", "name");

    UUID id = UUID.fromString(base.eventId());
    assertThat(id.version()).isEqualTo(7);
    assertThat(id.variant()).isEqualTo(2);
    assertThat(base.eventId())
        .matches("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  }

  @Test
  void idsCreatedInSequenceAreUniqueAndTimeOrdered() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 50_000; i++) {
      ids.add(WorkflowEvents.createBaseEvent("wf", "name").eventId());
    }

    assertThat(ids).doesNotHaveDuplicates().isSorted();
  }

  @Test
  void idsMadeOnManyThreadsAreUniqueAndOrderedInCreationOrderPerThread() throws Exception {
    int threads = 4;
    int perThread = 100_000;
    List<List<String>> made = new ArrayList<>();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      List<String> ids = new ArrayList<>(perThread);
      made.add(ids);
      Thread worker =
          new Thread(
              () -> {
                for (int i = 0; i < perThread; i++) {
                  ids.add(WorkflowEvents.newEventId());
                }
              });
      workers.add(worker);
      worker.start();
    }
    for (Thread worker : workers) {
      worker.join();
    }

    java.util.Set<String> all = new java.util.HashSet<>();
    for (List<String> ids : made) {
      assertThat(ids).isSorted();
      all.addAll(ids);
    }
    assertThat(all).hasSize(threads * perThread);
    long before = System.currentTimeMillis();
    String after = WorkflowEvents.newEventId();
    assertThat(Long.parseLong(after.replace("-", "").substring(0, 12), 16))
        .as("a burst of ids does not push their time ahead of the clock")
        .isBetween(before, System.currentTimeMillis());
  }

  @Test
  void aFixedClockSetsTheTimestampButNotTheIdsTime() {
    Clock future = Clock.fixed(Instant.parse("2090-01-01T00:00:00Z"), ZoneOffset.UTC);
    WorkflowEvents.createBaseEvent("wf", "name", null, future);

    long before = System.currentTimeMillis();
    String id = WorkflowEvents.newEventId();

    assertThat(Long.parseLong(id.replace("-", "").substring(0, 12), 16)).isBetween(before, System.currentTimeMillis());
  }

  @Test
  void idsEmbedTheirCreationTime() {
    long before = System.currentTimeMillis();
    String id = WorkflowEvents.newEventId();
    long after = System.currentTimeMillis();

    long millis = Long.parseLong(id.replace("-", "").substring(0, 12), 16);
    assertThat(millis).isBetween(before, after);
  }

  @Test
  void timestampComesFromTheClockTruncatedToMilliseconds() {
    Clock clock = Clock.fixed(Instant.parse("2025-12-05T03:20:12.456789Z"), ZoneOffset.UTC);

    BaseEvent base = WorkflowEvents.createBaseEvent("wf", "name", null, clock);

    assertThat(base.timestamp()).isEqualTo(Instant.parse("2025-12-05T03:20:12.456Z"));
  }

  @Test
  void emptyOrBlankExecutionIdCountsAsAbsent() {
    assertThat(WorkflowEvents.createBaseEvent("wf", "name", "").executionId()).isNull();
    assertThat(WorkflowEvents.createBaseEvent("wf", "name", "  ").executionId()).isNull();
    assertThat(WorkflowEvents.createBaseEvent("wf", "name").executionId()).isNull();
    assertThat(WorkflowEvents.createBaseEvent("wf", "name", "exec-1").executionId())
        .isEqualTo("exec-1");
  }

  @Test
  void enrichEventAddsEnvAndServiceKey() {
    WorkflowEvent event =
        new WorkflowEvent.WorkflowResumed(WorkflowEvents.createBaseEvent("wf", "name"));

    WireEvent wire = WorkflowEvents.enrichEvent(event, "production", "orders");

    assertThat(wire.event()).isSameAs(event);
    assertThat(wire.env()).isEqualTo("production");
    assertThat(wire.serviceKey()).isEqualTo("orders");
  }

  @Test
  void everyTypeHasItsWireNameAndLooksUpByIt() {
    assertThat(WorkflowEventType.values()).hasSize(16);
    for (WorkflowEventType type : WorkflowEventType.values()) {
      assertThat(WorkflowEventType.fromWireName(type.wireName())).contains(type);
      // Log lines name a type as text, e.g. "step.completed event is over maxEventBytes ...".
      assertThat(type).hasToString(type.wireName());
    }
    assertThat(WorkflowEventType.STEP_COMPLETED.wireName()).isEqualTo("step.completed");
    assertThat(WorkflowEventType.fromWireName("step.unknown")).isEmpty();
  }
}
