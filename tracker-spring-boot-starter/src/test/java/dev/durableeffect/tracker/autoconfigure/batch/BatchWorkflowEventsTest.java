package dev.durableeffect.tracker.autoconfigure.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;

import dev.durableeffect.tracker.EventTracker;
import dev.durableeffect.tracker.InMemoryTracker;
import dev.durableeffect.tracker.NoopTracker;
import dev.durableeffect.tracker.TrackerStats;
import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.event.WorkflowEvent.StepStarted;
import dev.durableeffect.tracker.event.WorkflowEvent.WorkflowCancelled;
import dev.durableeffect.tracker.event.WorkflowEvent.WorkflowCompleted;
import dev.durableeffect.tracker.event.WorkflowEvent.WorkflowFailed;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.batch.core.BatchStatus;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** The mapping rules over plain values, and what happens when reading or tracking goes wrong. */
@ExtendWith(OutputCaptureExtension.class)
class BatchWorkflowEventsTest {

  private static final LocalDateTime T0 = LocalDateTime.of(2025, 12, 5, 3, 20, 12);

  private final InMemoryTracker tracker = new InMemoryTracker();
  private final BatchWorkflowEvents events = new BatchWorkflowEvents(() -> tracker);

  @Test
  void aTrackerThatThrowsIsCountedAndLoggedNeverThrownIntoBatch(CapturedOutput output) {
    BatchWorkflowEvents failing = new BatchWorkflowEvents(() -> new BrokenTracker());

    assertThatNoException().isThrownBy(() -> failing.guarded("beforeJob", () -> failing.jobStarted(new FakeRun())));

    assertThat(failing.failures()).isEqualTo(1);
    assertThat(output).contains("could not track Spring Batch beforeJob (failed callbacks so far: 1)", "tracker broke");
  }

  @Test
  void anExecutionThatCannotBeReadIsCountedNeverThrownIntoBatch() {
    FakeRun unreadable =
        new FakeRun() {
          @Override
          public String jobName() {
            throw new NullPointerException("no job instance");
          }
        };

    assertThatNoException().isThrownBy(() -> events.guarded("afterJob", () -> events.jobEnded(unreadable)));
    assertThatNoException().isThrownBy(() -> events.guarded("afterJob", () -> { throw new AssertionError("even errors"); }));

    assertThat(events.failures()).isEqualTo(2);
    assertThat(tracker.getEvents()).isEmpty();
  }

  @Test
  void withTrackingOffNothingIsReadFromBatchOrItsRepository() {
    NoopTracker noop = new NoopTracker();
    FakeRun unreadable =
        new FakeRun() {
          @Override
          public String jobName() {
            throw new AssertionError("read although tracking is off");
          }

          @Override
          public List<PastExecution> earlierExecutions() {
            throw new AssertionError("queried although tracking is off");
          }
        };
    StepRun step = new StepRun(1, "load", BatchStatus.COMPLETED, T0, T0, List.of());

    for (BatchWorkflowEvents off : List.of(new BatchWorkflowEvents(() -> null), new BatchWorkflowEvents(() -> noop))) {
      off.guarded("beforeJob", () -> off.jobStarted(unreadable));
      off.guarded("beforeStep", () -> off.stepStarted(unreadable, step));
      off.guarded("afterStep", () -> off.stepEnded(unreadable, step));
      off.guarded("afterJob", () -> off.jobEnded(unreadable));

      assertThat(off.failures()).isZero();
    }
    assertThat(noop.stats().emitted()).isZero();
  }

  @Test
  void aRepositoryThatCannotAnswerLimitsTrackingToThisExecution(CapturedOutput output) {
    FakeRun run = new FakeRun();
    run.repositoryAnswers = false;
    run.steps.add(new StepRun(7, "load", BatchStatus.COMPLETED, T0, T0.plusSeconds(1), List.of()));

    events.jobStarted(run);
    events.stepStarted(run, run.steps.get(0));
    run.status = BatchStatus.COMPLETED;
    events.jobEnded(run);

    assertThat(tracker.getEvents()).extracting(e -> e.type().wireName())
        .containsExactly("workflow.started", "step.started", "workflow.completed");
    assertThat(tracker.getEventsByType(StepStarted.class).get(0).attempt()).isEqualTo(1);
    assertThat(tracker.getEventsByType(WorkflowCompleted.class).get(0).completedSteps()).containsExactly("load");
    assertThat(output).contains("could not list earlier executions of job nightly", "could not count executions of step load");
  }

  @Test
  void completedStepsSpanTheInstanceInTheOrderTheyFirstCompleted() {
    FakeRun run = new FakeRun();
    run.earlier.add(
        new PastExecution(
            1,
            T0,
            List.of(
                new StepRun(2, "load", BatchStatus.FAILED, T0, T0, List.of()),
                new StepRun(1, "extract", BatchStatus.COMPLETED, T0, T0, List.of()))));
    run.steps.add(new StepRun(3, "load", BatchStatus.COMPLETED, T0.plusHours(1), T0.plusHours(2), List.of()));
    run.steps.add(new StepRun(4, "publish", BatchStatus.COMPLETED, T0.plusHours(2), T0.plusHours(3), List.of()));
    run.status = BatchStatus.COMPLETED;
    run.startTime = T0.plusHours(1);
    run.endTime = T0.plusHours(3);

    events.jobEnded(run);

    WorkflowCompleted completed = tracker.getEventsByType(WorkflowCompleted.class).get(0);
    assertThat(completed.completedSteps()).containsExactly("extract", "load", "publish");
    assertThat(completed.durationMs()).as("from the first execution's start").isEqualTo(3 * 3_600_000L);
  }

  @Test
  void stoppedAndAbandonedJobsAreCancelledWithAReason() {
    FakeRun stopped = new FakeRun();
    stopped.status = BatchStatus.STOPPED;
    stopped.exitCode = "STOPPED";
    FakeRun halted = new FakeRun();
    halted.status = BatchStatus.STOPPED;
    halted.exitCode = "OPERATOR_HALT";
    FakeRun abandoned = new FakeRun();
    abandoned.status = BatchStatus.ABANDONED;
    abandoned.exitCode = "ABANDONED";

    events.jobEnded(stopped);
    events.jobEnded(halted);
    events.jobEnded(abandoned);

    assertThat(tracker.getEventsByType(WorkflowCancelled.class))
        .extracting(WorkflowCancelled::reason)
        .containsExactly("stopped", "stopped (exit code OPERATOR_HALT)", "abandoned");
  }

  @Test
  void aJobThatFailsOutsideAnyStepReportsItsOwnErrorOrItsExitStatus() {
    FakeRun invalid = new FakeRun();
    invalid.status = BatchStatus.FAILED;
    invalid.failures.add(new IllegalArgumentException("missing parameter: day"));
    FakeRun decided = new FakeRun();
    decided.status = BatchStatus.FAILED;
    decided.exitCode = "NO_INPUT";
    decided.exitDescription = "no files today";

    events.jobEnded(invalid);
    events.jobEnded(decided);

    List<WorkflowFailed> failed = tracker.getEventsByType(WorkflowFailed.class);
    assertThat(failed.get(0).error().message()).isEqualTo("missing parameter: day");
    assertThat(failed.get(0).error().stepName()).isNull();
    assertThat(failed.get(1).error().message()).isEqualTo("job nightly ended FAILED with exit code NO_INPUT: no files today");
  }

  @Test
  void inputKeepsTextNumbersAndBooleansAndWritesDatesAsIsoText() {
    Map<String, Object> input =
        BatchWorkflowEvents.input(
            Map.of(
                "name", "prices.csv",
                "size", 42L,
                "ratio", 0.25,
                "dry", Boolean.TRUE,
                "day", LocalDate.of(2025, 12, 5),
                "at", LocalDateTime.of(2025, 12, 5, 3, 20),
                "cutoff", LocalTime.of(23, 0),
                "legacy", Date.from(java.time.Instant.parse("2025-12-05T03:20:12.456Z"))));

    assertThat(input)
        .containsExactly(
            Map.entry("at", "2025-12-05T03:20"),
            Map.entry("cutoff", "23:00"),
            Map.entry("day", "2025-12-05"),
            Map.entry("dry", true),
            Map.entry("legacy", "2025-12-05T03:20:12.456Z"),
            Map.entry("name", "prices.csv"),
            Map.entry("ratio", 0.25),
            Map.entry("size", 42L));
  }

  /** A tracker whose {@code emit} breaks its promise never to throw. */
  private static final class BrokenTracker implements EventTracker {
    private final NoopTracker noop = new NoopTracker();

    @Override
    public void emit(WorkflowEvent event) {
      throw new IllegalStateException("tracker broke");
    }

    @Override
    public CompletableFuture<Void> flush() {
      return noop.flush();
    }

    @Override
    public long pending() {
      return 0;
    }

    @Override
    public TrackerStats stats() {
      return noop.stats();
    }

    @Override
    public void close() {}
  }

  /** A job execution of job {@code nightly}, instance 3, execution 5, set up by each test. */
  private static class FakeRun implements JobRun {
    BatchStatus status = BatchStatus.STARTED;
    String exitCode = "EXECUTING";
    String exitDescription = "";
    @Nullable LocalDateTime startTime = T0;
    @Nullable LocalDateTime endTime = T0;
    final List<Throwable> failures = new ArrayList<>();
    final List<StepRun> steps = new ArrayList<>();
    final List<PastExecution> earlier = new ArrayList<>();
    boolean repositoryAnswers = true;

    @Override
    public String jobName() {
      return "nightly";
    }

    @Override
    public long instanceId() {
      return 3;
    }

    @Override
    public long executionId() {
      return 5;
    }

    @Override
    public Map<String, Object> identifyingParameters() {
      return Map.of("day", "2025-12-05");
    }

    @Override
    public BatchStatus status() {
      return status;
    }

    @Override
    public String exitCode() {
      return exitCode;
    }

    @Override
    public String exitDescription() {
      return exitDescription;
    }

    @Override
    public @Nullable LocalDateTime startTime() {
      return startTime;
    }

    @Override
    public @Nullable LocalDateTime endTime() {
      return endTime;
    }

    @Override
    public List<Throwable> failures() {
      return failures;
    }

    @Override
    public List<StepRun> steps() {
      return steps;
    }

    @Override
    public List<PastExecution> earlierExecutions() {
      if (!repositoryAnswers) {
        throw new UnsupportedOperationException("in-memory repository");
      }
      return earlier;
    }

    @Override
    public long stepExecutionCount(String stepName) {
      if (!repositoryAnswers) {
        throw new UnsupportedOperationException("in-memory repository");
      }
      return 1;
    }
  }
}
