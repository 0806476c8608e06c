package dev.durableeffect.tracker.autoconfigure.batch;

import dev.durableeffect.tracker.EventTracker;
import dev.durableeffect.tracker.NoopTracker;
import dev.durableeffect.tracker.RateLimitedLog;
import dev.durableeffect.tracker.event.BaseEvent;
import dev.durableeffect.tracker.event.ErrorDetails;
import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.event.WorkflowEvents;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;

/**
 * Turns Spring Batch job and step executions into workflow events; the mapping rules of the
 * integration, shared by both Batch lines.
 *
 * <ul>
 *   <li>A job instance is a workflow: {@code workflowId} {@code <jobName>:<instanceId>}, {@code
 *       workflowName} the job name, {@code executionId} the job execution id, {@code input} the
 *       identifying job parameters.
 *   <li>First execution of an instance: {@code workflow.started}; a restart: {@code
 *       workflow.resumed}.
 *   <li>Each step execution: {@code step.started}, then {@code step.completed} or {@code
 *       step.failed}, with {@code attempt} = how many times the step has run in the instance.
 *   <li>Job end: COMPLETED {@code workflow.completed}; FAILED and UNKNOWN {@code workflow.failed};
 *       STOPPED and ABANDONED {@code workflow.cancelled}. {@code completedSteps} covers the whole
 *       instance, earlier executions included; {@code durationMs} runs from the instance's first start.
 * </ul>
 *
 * <p>Every callback runs in {@link #guarded}: a tracking problem is counted and logged (rate
 * limited), never thrown into Batch. Thread-safe and stateless apart from that count, so one
 * instance serves all jobs, also steps running in parallel.
 */
final class BatchWorkflowEvents {

  /** A callback body that may throw anything. */
  @FunctionalInterface
  interface Callback {
    void run() throws Exception;
  }

  private final Supplier<@Nullable EventTracker> tracker;
  private final AtomicLong failures = new AtomicLong();
  private final RateLimitedLog log =
      new RateLimitedLog(LoggerFactory.getLogger(BatchWorkflowEvents.class), Duration.ofSeconds(30));

  /** Events go to {@code tracker}, looked up at each callback (null or no-op: tracking is off). */
  BatchWorkflowEvents(Supplier<@Nullable EventTracker> tracker) {
    this.tracker = tracker;
  }

  /** Runs a listener callback; whatever it throws is counted and logged, never rethrown. */
  void guarded(String callback, Callback body) {
    try {
      body.run();
    } catch (Throwable e) {
      long total = failures.incrementAndGet();
      log.log(
          RateLimitedLog.Level.WARN,
          "batch-callback-failed",
          1,
          "durable-tracker: could not track Spring Batch " + callback + " (failed callbacks so far: " + total
              + "); the job is unaffected: " + e);
    }
  }

  /** How many callbacks failed to track their execution so far. */
  long failures() {
    return failures.get();
  }

  /** The tracker to emit to, or null when tracking is off: then nothing is read or built. */
  private @Nullable EventTracker target() {
    EventTracker target = tracker.get();
    return target instanceof NoopTracker ? null : target;
  }

  /** Before the job: {@code workflow.started}, or {@code workflow.resumed} for a restart. */
  void jobStarted(JobRun run) {
    EventTracker target = target();
    if (target == null) {
      return;
    }
    if (history(run).isEmpty()) {
      target.emit(new WorkflowEvent.WorkflowStarted(base(run), input(run.identifyingParameters())));
    } else {
      target.emit(new WorkflowEvent.WorkflowResumed(base(run)));
    }
  }

  /** Before a step: {@code step.started}. */
  void stepStarted(JobRun run, StepRun step) {
    EventTracker target = target();
    if (target == null) {
      return;
    }
    target.emit(new WorkflowEvent.StepStarted(base(run), step.stepName(), attempt(run, step.stepName())));
  }

  /**
   * After a step: {@code step.completed} or {@code step.failed}. A stopped or abandoned step emits
   * nothing: the job's {@code workflow.cancelled} follows, and a restart runs the step again.
   */
  void stepEnded(JobRun run, StepRun step) {
    EventTracker target = target();
    if (target == null) {
      return;
    }
    BatchStatus status = step.status();
    if (status == BatchStatus.COMPLETED) {
      target.emit(
          new WorkflowEvent.StepCompleted(
              base(run), step.stepName(), attempt(run, step.stepName()), millis(step.startTime(), step.endTime()), false));
    } else if (status == BatchStatus.FAILED || status == BatchStatus.UNKNOWN) {
      target.emit(
          new WorkflowEvent.StepFailed(
              base(run), step.stepName(), attempt(run, step.stepName()), stepError(run, step), false));
    }
  }

  /** After the job: {@code workflow.completed}, {@code workflow.failed} or {@code workflow.cancelled}. */
  void jobEnded(JobRun run) {
    EventTracker target = target();
    if (target == null) {
      return;
    }
    List<PastExecution> history = history(run);
    List<String> completedSteps = completedSteps(history, run.steps());
    BatchStatus status = run.status();
    switch (status) {
      case COMPLETED ->
          target.emit(new WorkflowEvent.WorkflowCompleted(base(run), completedSteps, instanceMillis(run, history)));
      case STOPPED, STOPPING, ABANDONED ->
          target.emit(new WorkflowEvent.WorkflowCancelled(base(run), cancelReason(run), completedSteps));
      default -> target.emit(new WorkflowEvent.WorkflowFailed(base(run), jobError(run), completedSteps));
    }
  }

  private static BaseEvent base(JobRun run) {
    return WorkflowEvents.createBaseEvent(
        workflowId(run.jobName(), run.instanceId()), run.jobName(), String.valueOf(run.executionId()));
  }

  /** The workflow id of a job instance: {@code <jobName>:<instanceId>}. */
  private static String workflowId(String jobName, long instanceId) {
    return jobName + ":" + instanceId;
  }

  /**
   * The identifying parameters as JSON-friendly values, sorted by name: strings, numbers and booleans
   * as they are, dates as ISO-8601 text, anything else as its {@code toString()}.
   */
  static Map<String, Object> input(Map<String, Object> parameters) {
    Map<String, Object> input = new LinkedHashMap<>();
    new TreeMap<>(parameters).forEach((name, value) -> input.put(name, jsonValue(value)));
    return input;
  }

  private static Object jsonValue(Object value) {
    if (value instanceof String || value instanceof Number || value instanceof Boolean) {
      return value;
    }
    if (value instanceof Date date) {
      return date.toInstant().toString();
    }
    return value.toString();
  }

  private List<PastExecution> history(JobRun run) {
    try {
      List<PastExecution> earlier = new ArrayList<>(run.earlierExecutions());
      earlier.sort(Comparator.comparingLong(PastExecution::executionId));
      return earlier;
    } catch (Exception e) {
      log.log(
          RateLimitedLog.Level.WARN,
          "batch-history-unavailable",
          1,
          "durable-tracker: the job repository could not list earlier executions of job " + run.jobName()
              + ", so restarts are reported as starts and completedSteps covers one execution: " + e);
      return List.of();
    }
  }

  private int attempt(JobRun run, String stepName) {
    long count;
    try {
      count = run.stepExecutionCount(stepName);
    } catch (Exception e) {
      log.log(
          RateLimitedLog.Level.WARN,
          "batch-step-count-unavailable",
          1,
          "durable-tracker: the job repository could not count executions of step " + stepName
              + ", so its attempt counts this execution only: " + e);
      count = run.steps().stream().filter(s -> s.stepName().equals(stepName)).count();
    }
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, count));
  }

  private static List<String> completedSteps(List<PastExecution> history, List<StepRun> current) {
    LinkedHashSet<String> names = new LinkedHashSet<>();
    for (PastExecution past : history) {
      addCompleted(names, past.steps());
    }
    addCompleted(names, current);
    return List.copyOf(names);
  }

  private static void addCompleted(LinkedHashSet<String> names, List<StepRun> steps) {
    steps.stream()
        .filter(step -> step.status() == BatchStatus.COMPLETED)
        .sorted(Comparator.comparingLong(StepRun::id))
        .forEach(step -> names.add(step.stepName()));
  }

  /** From the instance's first start to the end of this execution. */
  private static long instanceMillis(JobRun run, List<PastExecution> history) {
    LocalDateTime start = run.startTime();
    for (PastExecution past : history) {
      if (past.startTime() != null && (start == null || past.startTime().isBefore(start))) {
        start = past.startTime();
      }
    }
    return millis(start, run.endTime());
  }

  private static long millis(@Nullable LocalDateTime start, @Nullable LocalDateTime end) {
    if (start == null) {
      return 0;
    }
    return Math.max(0, Duration.between(start, end != null ? end : LocalDateTime.now()).toMillis());
  }

  private static ErrorDetails stepError(JobRun run, StepRun step) {
    if (!step.failures().isEmpty()) {
      return ErrorDetails.of(step.failures().get(0));
    }
    return ErrorDetails.of(
        "step " + step.stepName() + " of job " + run.jobName() + " ended " + step.status());
  }

  /** The failing step's error with its name and attempt; else the job's own error; else its status. */
  private ErrorDetails jobError(JobRun run) {
    StepRun failed =
        run.steps().stream()
            .filter(step -> step.status() == BatchStatus.FAILED || step.status() == BatchStatus.UNKNOWN)
            .max(Comparator.comparingLong(StepRun::id))
            .orElse(null);
    if (failed != null) {
      return stepError(run, failed).at(failed.stepName(), attempt(run, failed.stepName()));
    }
    if (!run.failures().isEmpty()) {
      return ErrorDetails.of(run.failures().get(0));
    }
    String description = run.exitDescription().isBlank() ? "" : ": " + run.exitDescription();
    return ErrorDetails.of(
        "job " + run.jobName() + " ended " + run.status() + " with exit code " + run.exitCode() + description);
  }

  /** {@code stopped} or {@code abandoned}, with the exit code when it says something else. */
  private static String cancelReason(JobRun run) {
    String status = run.status() == BatchStatus.ABANDONED ? "abandoned" : "stopped";
    String exitCode = run.exitCode();
    return exitCode.isBlank() || exitCode.equalsIgnoreCase(run.status().name()) || exitCode.equalsIgnoreCase(status)
        ? status
        : status + " (exit code " + exitCode + ")";
  }
}
