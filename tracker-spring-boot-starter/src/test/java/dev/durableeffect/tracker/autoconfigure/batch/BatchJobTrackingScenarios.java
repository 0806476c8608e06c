package dev.durableeffect.tracker.autoconfigure.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.durableeffect.tracker.InMemoryTracker;
import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.event.WorkflowEvent.StepCompleted;
import dev.durableeffect.tracker.event.WorkflowEvent.StepFailed;
import dev.durableeffect.tracker.event.WorkflowEvent.StepStarted;
import dev.durableeffect.tracker.event.WorkflowEvent.WorkflowCancelled;
import dev.durableeffect.tracker.event.WorkflowEvent.WorkflowCompleted;
import dev.durableeffect.tracker.event.WorkflowEvent.WorkflowFailed;
import dev.durableeffect.tracker.event.WorkflowEvent.WorkflowStarted;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.batch.core.BatchStatus;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Real jobs on a JDBC job repository (H2), tracked with no tracking code in them. Each Boot line's
 * subclass defines the same jobs with its Batch API and launches them; the scenarios and what they
 * assert are the same on both lines.
 *
 * <p>Jobs: {@code report} (step {@code render}); {@code transfer} ({@code extract}, then {@code
 * load}, which fails while {@link JobBehaviour#loadFails} is set); {@code stoppable} ({@code prepare},
 * then {@code drain}, which asks the job operator to stop the job after {@link
 * JobBehaviour#stopOnce}); {@code import-prices} (chunk step {@code price} whose processor retries
 * {@link JobBehaviour.TransientFailure} up to 3 attempts per item); {@code audit-nightly} and {@code
 * audit-weekly} (sharing the step bean {@code audit}).
 */
abstract class BatchJobTrackingScenarios {

  /** A job execution the scenario launched, read from Batch. */
  record Launch(
      String jobName,
      long instanceId,
      long executionId,
      BatchStatus status,
      LocalDateTime startTime,
      LocalDateTime endTime) {

    String workflowId() {
      return jobName + ":" + instanceId;
    }
  }

  @Autowired InMemoryTracker tracker;
  @Autowired JobBehaviour behaviour;

  /**
   * Launches the job (a restart when its instance has failed or stopped) and returns when it has
   * ended; parameter values are strings, longs, doubles or local dates.
   */
  abstract Launch launch(String jobName, Map<String, Object> identifying, Map<String, Object> nonIdentifying)
      throws Exception;

  private Launch launch(String jobName, Map<String, Object> identifying) throws Exception {
    return launch(jobName, identifying, Map.of());
  }

  @BeforeEach
  void startClean() {
    tracker.clear();
    behaviour.loadFails(false);
  }

  @Test
  void aOneStepJobIsAWorkflowThatStartsAndCompletes() throws Exception {
    String key = key();
    Launch run =
        launch(
            "report",
            Map.of("run", key, "day", LocalDate.of(2025, 12, 5), "batch", 7L, "ratio", 0.5),
            Map.of("requestedBy", "ops"));

    assertThat(run.status()).isEqualTo(BatchStatus.COMPLETED);
    List<WorkflowEvent> events = eventsOf(run);
    assertThat(describe(events))
        .containsExactly("workflow.started", "step.started render#1", "step.completed render#1", "workflow.completed");
    assertThat(events)
        .allSatisfy(
            event -> {
              assertThat(event.base().workflowId()).isEqualTo("report:" + run.instanceId());
              assertThat(event.base().workflowName()).isEqualTo("report");
              assertThat(event.base().executionId()).isEqualTo(String.valueOf(run.executionId()));
            });
    assertThat(only(events, WorkflowStarted.class).input())
        .as("the identifying parameters, as JSON-friendly values")
        .isEqualTo(Map.of("run", key, "day", "2025-12-05", "batch", 7L, "ratio", 0.5));
    StepCompleted step = only(events, StepCompleted.class);
    assertThat(step.cached()).isFalse();
    assertThat(step.durationMs()).isGreaterThanOrEqualTo(0);
    WorkflowCompleted completed = only(events, WorkflowCompleted.class);
    assertThat(completed.completedSteps()).containsExactly("render");
    assertThat(completed.durationMs()).isEqualTo(millisBetween(run.startTime(), run.endTime()));
  }

  @Test
  void aFailedJobRestartedLaterResumesTheSameWorkflowAndRerunsOnlyTheFailedStep() throws Exception {
    Map<String, Object> parameters = Map.of("run", key());
    behaviour.loadFails(true);

    Launch first = launch("transfer", parameters);

    assertThat(first.status()).isEqualTo(BatchStatus.FAILED);
    List<WorkflowEvent> failedRun = eventsOf(first);
    assertThat(describe(failedRun))
        .containsExactly(
            "workflow.started",
            "step.started extract#1",
            "step.completed extract#1",
            "step.started load#1",
            "step.failed load#1",
            "workflow.failed");
    assertThat(failedRun).allSatisfy(e -> assertThat(e.base().executionId()).isEqualTo(String.valueOf(first.executionId())));
    StepFailed stepFailed = only(failedRun, StepFailed.class);
    assertThat(stepFailed.willRetry()).isFalse();
    assertThat(stepFailed.error().message()).isEqualTo("warehouse unavailable");
    assertThat(stepFailed.error().stack()).contains("java.lang.IllegalStateException: warehouse unavailable");
    WorkflowFailed workflowFailed = only(failedRun, WorkflowFailed.class);
    assertThat(workflowFailed.error().message()).isEqualTo("warehouse unavailable");
    assertThat(workflowFailed.error().stepName()).isEqualTo("load");
    assertThat(workflowFailed.error().attempt()).isEqualTo(1);
    assertThat(workflowFailed.completedSteps()).containsExactly("extract");

    tracker.clear();
    behaviour.loadFails(false);
    Launch restart = launch("transfer", parameters);

    assertThat(restart.status()).isEqualTo(BatchStatus.COMPLETED);
    assertThat(restart.instanceId()).isEqualTo(first.instanceId());
    assertThat(restart.executionId()).isNotEqualTo(first.executionId());
    List<WorkflowEvent> resumedRun = eventsOf(restart);
    assertThat(describe(resumedRun))
        .as("extract completed before, so Batch skips it and nothing is emitted for it")
        .containsExactly("workflow.resumed", "step.started load#2", "step.completed load#2", "workflow.completed");
    assertThat(resumedRun)
        .allSatisfy(
            e -> {
              assertThat(e.base().workflowId()).isEqualTo(first.workflowId());
              assertThat(e.base().executionId()).isEqualTo(String.valueOf(restart.executionId()));
            });
    WorkflowCompleted completed = only(resumedRun, WorkflowCompleted.class);
    assertThat(completed.completedSteps()).containsExactly("extract", "load");
    assertThat(completed.durationMs())
        .as("from the instance's first start to the end of the restart")
        .isEqualTo(millisBetween(first.startTime(), restart.endTime()));
  }

  @Test
  void aStoppedJobIsCancelledAndItsRestartResumesWithTheStoppedStep() throws Exception {
    Map<String, Object> parameters = Map.of("run", key());
    behaviour.stopOnce();

    Launch stopped = launch("stoppable", parameters);

    assertThat(stopped.status()).isEqualTo(BatchStatus.STOPPED);
    List<WorkflowEvent> stoppedRun = eventsOf(stopped);
    assertThat(describe(stoppedRun))
        .as("the stopped step gets no end event: the workflow's cancellation closes it")
        .containsExactly(
            "workflow.started",
            "step.started prepare#1",
            "step.completed prepare#1",
            "step.started drain#1",
            "workflow.cancelled");
    WorkflowCancelled cancelled = only(stoppedRun, WorkflowCancelled.class);
    assertThat(cancelled.reason()).isEqualTo("stopped");
    assertThat(cancelled.completedSteps()).containsExactly("prepare");

    tracker.clear();
    Launch restart = launch("stoppable", parameters);

    assertThat(restart.status()).isEqualTo(BatchStatus.COMPLETED);
    assertThat(restart.workflowId()).isEqualTo(stopped.workflowId());
    List<WorkflowEvent> resumedRun = eventsOf(restart);
    assertThat(describe(resumedRun))
        .containsExactly("workflow.resumed", "step.started drain#2", "step.completed drain#2", "workflow.completed");
    assertThat(only(resumedRun, WorkflowCompleted.class).completedSteps()).containsExactly("prepare", "drain");
  }

  @Test
  void itemRetriesInsideAChunkStepAreNotStepAttempts() throws Exception {
    behaviour.items(List.of(1, 2, 3, 4, 5), Map.of(3, 2));

    Launch run = launch("import-prices", Map.of("run", key()));

    assertThat(run.status()).isEqualTo(BatchStatus.COMPLETED);
    assertThat(behaviour.timesProcessed(3)).as("Batch retried item 3 twice").isGreaterThanOrEqualTo(3);
    List<WorkflowEvent> events = eventsOf(run);
    assertThat(describe(events))
        .containsExactly("workflow.started", "step.started price#1", "step.completed price#1", "workflow.completed");
    assertThat(types(events)).doesNotContain("retry.scheduled", "retry.exhausted", "step.failed");
  }

  @Test
  void aChunkStepWhoseItemRetriesRunOutFailsWithTheItemsError() throws Exception {
    behaviour.items(List.of(1, 2, 3), Map.of(2, Integer.MAX_VALUE));

    Launch run = launch("import-prices", Map.of("run", key()));

    assertThat(run.status()).isEqualTo(BatchStatus.FAILED);
    assertThat(behaviour.timesProcessed(2)).as("Batch tried item 2 three times").isGreaterThanOrEqualTo(3);
    List<WorkflowEvent> events = eventsOf(run);
    assertThat(describe(events))
        .containsExactly("workflow.started", "step.started price#1", "step.failed price#1", "workflow.failed");
    assertThat(only(events, StepFailed.class).error().stack()).contains("item 2 could not be priced");
    WorkflowFailed failed = only(events, WorkflowFailed.class);
    assertThat(failed.error().stepName()).isEqualTo("price");
    assertThat(failed.error().attempt()).isEqualTo(1);
    assertThat(failed.completedSteps()).isEmpty();
  }

  @Test
  void aStepSharedByTwoJobsIsTrackedOncePerExecution() throws Exception {
    Launch run = launch("audit-nightly", Map.of("run", key()));

    assertThat(run.status()).isEqualTo(BatchStatus.COMPLETED);
    assertThat(describe(eventsOf(run)))
        .containsExactly("workflow.started", "step.started audit#1", "step.completed audit#1", "workflow.completed");
  }

  private List<WorkflowEvent> eventsOf(Launch run) {
    return tracker.getEvents().stream().filter(e -> e.base().workflowId().equals(run.workflowId())).toList();
  }

  private static List<String> types(List<WorkflowEvent> events) {
    return events.stream().map(e -> e.type().wireName()).toList();
  }

  /** Type, and for step events the step's name and attempt: {@code step.started load#2}. */
  private static List<String> describe(List<WorkflowEvent> events) {
    return events.stream()
        .map(
            e -> {
              String type = e.type().wireName();
              if (e instanceof StepStarted s) {
                return type + " " + s.stepName() + "#" + s.attempt();
              }
              if (e instanceof StepCompleted s) {
                return type + " " + s.stepName() + "#" + s.attempt();
              }
              if (e instanceof StepFailed s) {
                return type + " " + s.stepName() + "#" + s.attempt();
              }
              return type;
            })
        .toList();
  }

  private static <T extends WorkflowEvent> T only(List<WorkflowEvent> events, Class<T> type) {
    List<T> matching = events.stream().filter(type::isInstance).map(type::cast).toList();
    assertThat(matching).as(type.getSimpleName()).hasSize(1);
    return matching.get(0);
  }

  private static long millisBetween(LocalDateTime start, LocalDateTime end) {
    return Duration.between(start, end).toMillis();
  }

  private static String key() {
    return UUID.randomUUID().toString();
  }
}
