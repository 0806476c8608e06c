package dev.durableeffect.tracker.event;

import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A workflow lifecycle event as created by workflow code (the internal form, without {@code env}
 * and {@code serviceKey}). One record per {@link WorkflowEventType}; each record's first component
 * is its {@link BaseEvent}, the others follow the wire format's field order.
 */
public sealed interface WorkflowEvent
    permits WorkflowEvent.WorkflowStarted,
        WorkflowEvent.WorkflowQueued,
        WorkflowEvent.WorkflowCompleted,
        WorkflowEvent.WorkflowFailed,
        WorkflowEvent.WorkflowPaused,
        WorkflowEvent.WorkflowResumed,
        WorkflowEvent.WorkflowCancelled,
        WorkflowEvent.StepStarted,
        WorkflowEvent.StepCompleted,
        WorkflowEvent.StepFailed,
        WorkflowEvent.RetryScheduled,
        WorkflowEvent.RetryExhausted,
        WorkflowEvent.SleepStarted,
        WorkflowEvent.SleepCompleted,
        WorkflowEvent.TimeoutSet,
        WorkflowEvent.TimeoutExceeded {

  /** The fields every event carries. */
  BaseEvent base();

  /** Which of the 16 event types this is. */
  WorkflowEventType type();

  /**
   * The workflow began executing. Wire type {@code workflow.started}.
   *
   * @param base the fields every event carries
   * @param input the input the workflow was started with: any JSON-serializable value, or null
   */
  record WorkflowStarted(
      BaseEvent base,
      @Nullable Object input)
      implements WorkflowEvent {

    /** Validates the fields; the exception names the field and the bad value. */
    public WorkflowStarted {
      Validate.requireNonNull(base, "base");
    }

    @Override
    public WorkflowEventType type() {
      return WorkflowEventType.WORKFLOW_STARTED;
    }
  }

  /**
   * The workflow was queued for asynchronous execution. Wire type {@code workflow.queued}.
   *
   * @param base the fields every event carries
   * @param input the input the workflow was queued with: any JSON-serializable value, or null
   */
  record WorkflowQueued(
      BaseEvent base,
      @Nullable Object input)
      implements WorkflowEvent {

    /** Validates the fields; the exception names the field and the bad value. */
    public WorkflowQueued {
      Validate.requireNonNull(base, "base");
    }

    @Override
    public WorkflowEventType type() {
      return WorkflowEventType.WORKFLOW_QUEUED;
    }
  }

  /**
   * The workflow finished successfully. Wire type {@code workflow.completed}.
   *
   * @param base the fields every event carries
   * @param completedSteps names of the steps that completed, in order
   * @param durationMs total duration in milliseconds
   */
  record WorkflowCompleted(
      BaseEvent base,
      List<String> completedSteps,
      long durationMs)
      implements WorkflowEvent {

    /** Validates the fields; the exception names the field and the bad value. */
    public WorkflowCompleted {
      Validate.requireNonNull(base, "base");
      completedSteps = Validate.copySteps(completedSteps, "completedSteps");
      Validate.requireNonNegative(durationMs, "durationMs");
    }

    @Override
    public WorkflowEventType type() {
      return WorkflowEventType.WORKFLOW_COMPLETED;
    }
  }

  /**
   * The workflow failed permanently. Wire type {@code workflow.failed}.
   *
   * @param base the fields every event carries
   * @param error what went wrong, with the failing step and attempt when known
   * @param completedSteps names of the steps that completed before the failure
   */
  record WorkflowFailed(
      BaseEvent base,
      ErrorDetails error,
      List<String> completedSteps)
      implements WorkflowEvent {

    /** Validates the fields; the exception names the field and the bad value. */
    public WorkflowFailed {
      Validate.requireNonNull(base, "base");
      Validate.requireNonNull(error, "error");
      completedSteps = Validate.copySteps(completedSteps, "completedSteps");
    }

    @Override
    public WorkflowEventType type() {
      return WorkflowEventType.WORKFLOW_FAILED;
    }
  }

  /**
   * The workflow paused for a sleep or before a retry. Wire type {@code workflow.paused}.
   *
   * @param base the fields every event carries
   * @param reason why it paused
   * @param resumeAt when it is due to resume, if known
   * @param stepName the step the pause belongs to, if any
   */
  record WorkflowPaused(
      BaseEvent base,
      PauseReason reason,
      @Nullable Instant resumeAt,
      @Nullable String stepName)
      implements WorkflowEvent {

    /** Validates the fields; the exception names the field and the bad value. */
    public WorkflowPaused {
      Validate.requireNonNull(base, "base");
      Validate.requireNonNull(reason, "reason");
      stepName = Validate.blankToNull(stepName);
    }

    @Override
    public WorkflowEventType type() {
      return WorkflowEventType.WORKFLOW_PAUSED;
    }
  }

  /**
   * The workflow resumed after a pause. Wire type {@code workflow.resumed}.
   *
   * @param base the fields every event carries

   */
  record WorkflowResumed(
      BaseEvent base)
      implements WorkflowEvent {

    /** Validates the fields; the exception names the field and the bad value. */
    public WorkflowResumed {
      Validate.requireNonNull(base, "base");
    }

    @Override
    public WorkflowEventType type() {
      return WorkflowEventType.WORKFLOW_RESUMED;
    }
  }

  /**
   * The workflow was cancelled. Wire type {@code workflow.cancelled}.
   *
   * @param base the fields every event carries
   * @param reason why it was cancelled, if given
   * @param completedSteps names of the steps that completed before the cancellation
   */
  record WorkflowCancelled(
      BaseEvent base,
      @Nullable String reason,
      List<String> completedSteps)
      implements WorkflowEvent {

    /** Validates the fields; the exception names the field and the bad value. */
    public WorkflowCancelled {
      Validate.requireNonNull(base, "base");
      reason = Validate.blankToNull(reason);
      completedSteps = Validate.copySteps(completedSteps, "completedSteps");
    }

    @Override
    public WorkflowEventType type() {
      return WorkflowEventType.WORKFLOW_CANCELLED;
    }
  }

  /**
   * A step attempt began. Wire type {@code step.started}.
   *
   * @param base the fields every event carries
   * @param stepName the step's name
   * @param attempt the attempt number, from 1
   */
  record StepStarted(
      BaseEvent base,
      String stepName,
      int attempt)
      implements WorkflowEvent {

    /** Validates the fields; the exception names the field and the bad value. */
    public StepStarted {
      Validate.requireNonNull(base, "base");
      Validate.requireText(stepName, "stepName");
      Validate.requireAttempt(attempt, "attempt");
    }

    @Override
    public WorkflowEventType type() {
      return WorkflowEventType.STEP_STARTED;
    }
  }

  /**
   * A step attempt finished successfully. Wire type {@code step.completed}.
   *
   * @param base the fields every event carries
   * @param stepName the step's name
   * @param attempt the attempt number, from 1
   * @param durationMs how long the attempt took in milliseconds
   * @param cached whether the result came from a cache instead of running the step
   */
  record StepCompleted(
      BaseEvent base,
      String stepName,
      int attempt,
      long durationMs,
      boolean cached)
      implements WorkflowEvent {

    /** Validates the fields; the exception names the field and the bad value. */
    public StepCompleted {
      Validate.requireNonNull(base, "base");
      Validate.requireText(stepName, "stepName");
      Validate.requireAttempt(attempt, "attempt");
      Validate.requireNonNegative(durationMs, "durationMs");
    }

    @Override
    public WorkflowEventType type() {
      return WorkflowEventType.STEP_COMPLETED;
    }
  }

  /**
   * A step attempt failed. Wire type {@code step.failed}.
   *
   * @param base the fields every event carries
   * @param stepName the step's name
   * @param attempt the attempt number, from 1
   * @param error what went wrong (message and stack only)
   * @param willRetry whether another attempt will follow
   */
  record StepFailed(
      BaseEvent base,
      String stepName,
      int attempt,
      ErrorDetails error,
      boolean willRetry)
      implements WorkflowEvent {

    /** Validates the fields; the exception names the field and the bad value. */
    public StepFailed {
      Validate.requireNonNull(base, "base");
      Validate.requireText(stepName, "stepName");
      Validate.requireAttempt(attempt, "attempt");
      error = Validate.requireNonNull(error, "error").withoutLocation();
    }

    @Override
    public WorkflowEventType type() {
      return WorkflowEventType.STEP_FAILED;
    }
  }

  /**
   * A retry of a failed step was scheduled. Wire type {@code retry.scheduled}.
   *
   * @param base the fields every event carries
   * @param stepName the step's name
   * @param attempt the number of the attempt that will run next
   * @param nextAttemptAt when that attempt is due
   * @param delayMs the delay before it in milliseconds
   */
  record RetryScheduled(
      BaseEvent base,
      String stepName,
      int attempt,
      Instant nextAttemptAt,
      long delayMs)
      implements WorkflowEvent {

    /** Validates the fields; the exception names the field and the bad value. */
    public RetryScheduled {
      Validate.requireNonNull(base, "base");
      Validate.requireText(stepName, "stepName");
      Validate.requireAttempt(attempt, "attempt");
      Validate.requireNonNull(nextAttemptAt, "nextAttemptAt");
      Validate.requireNonNegative(delayMs, "delayMs");
    }

    @Override
    public WorkflowEventType type() {
      return WorkflowEventType.RETRY_SCHEDULED;
    }
  }

  /**
   * A step used up its retries. Wire type {@code retry.exhausted}.
   *
   * @param base the fields every event carries
   * @param stepName the step's name
   * @param attempts the total number of attempts made
   */
  record RetryExhausted(
      BaseEvent base,
      String stepName,
      int attempts)
      implements WorkflowEvent {

    /** Validates the fields; the exception names the field and the bad value. */
    public RetryExhausted {
      Validate.requireNonNull(base, "base");
      Validate.requireText(stepName, "stepName");
      Validate.requireAttempt(attempts, "attempts");
    }

    @Override
    public WorkflowEventType type() {
      return WorkflowEventType.RETRY_EXHAUSTED;
    }
  }

  /**
   * The workflow began a durable sleep. Wire type {@code sleep.started}.
   *
   * @param base the fields every event carries
   * @param durationMs the sleep's length in milliseconds
   * @param resumeAt when the sleep ends
   */
  record SleepStarted(
      BaseEvent base,
      long durationMs,
      Instant resumeAt)
      implements WorkflowEvent {

    /** Validates the fields; the exception names the field and the bad value. */
    public SleepStarted {
      Validate.requireNonNull(base, "base");
      Validate.requireNonNegative(durationMs, "durationMs");
      Validate.requireNonNull(resumeAt, "resumeAt");
    }

    @Override
    public WorkflowEventType type() {
      return WorkflowEventType.SLEEP_STARTED;
    }
  }

  /**
   * A durable sleep ended. Wire type {@code sleep.completed}.
   *
   * @param base the fields every event carries
   * @param durationMs the sleep's length in milliseconds
   */
  record SleepCompleted(
      BaseEvent base,
      long durationMs)
      implements WorkflowEvent {

    /** Validates the fields; the exception names the field and the bad value. */
    public SleepCompleted {
      Validate.requireNonNull(base, "base");
      Validate.requireNonNegative(durationMs, "durationMs");
    }

    @Override
    public WorkflowEventType type() {
      return WorkflowEventType.SLEEP_COMPLETED;
    }
  }

  /**
   * A deadline was set for a step. Wire type {@code timeout.set}.
   *
   * @param base the fields every event carries
   * @param stepName the step's name
   * @param deadline when the step times out
   * @param timeoutMs the timeout in milliseconds
   */
  record TimeoutSet(
      BaseEvent base,
      String stepName,
      Instant deadline,
      long timeoutMs)
      implements WorkflowEvent {

    /** Validates the fields; the exception names the field and the bad value. */
    public TimeoutSet {
      Validate.requireNonNull(base, "base");
      Validate.requireText(stepName, "stepName");
      Validate.requireNonNull(deadline, "deadline");
      Validate.requireNonNegative(timeoutMs, "timeoutMs");
    }

    @Override
    public WorkflowEventType type() {
      return WorkflowEventType.TIMEOUT_SET;
    }
  }

  /**
   * A step exceeded its deadline. Wire type {@code timeout.exceeded}.
   *
   * @param base the fields every event carries
   * @param stepName the step's name
   * @param timeoutMs the timeout in milliseconds
   */
  record TimeoutExceeded(
      BaseEvent base,
      String stepName,
      long timeoutMs)
      implements WorkflowEvent {

    /** Validates the fields; the exception names the field and the bad value. */
    public TimeoutExceeded {
      Validate.requireNonNull(base, "base");
      Validate.requireText(stepName, "stepName");
      Validate.requireNonNegative(timeoutMs, "timeoutMs");
    }

    @Override
    public WorkflowEventType type() {
      return WorkflowEventType.TIMEOUT_EXCEEDED;
    }
  }
}
