package dev.durableeffect.tracker.autoconfigure.batch;

import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.batch.core.BatchStatus;

/**
 * One job execution as plain values, implemented by each Batch line's adapter over its {@code
 * JobExecution} and job repository. Reads happen when a method is called, inside {@link
 * BatchWorkflowEvents}' guard, so a failing read never reaches Batch.
 */
interface JobRun {

  /** The job's name. */
  String jobName();

  /** The job instance id: stable across restarts of the instance. */
  long instanceId();

  /** The job execution id: new for every start and restart. */
  long executionId();

  /** The identifying job parameters by name, as Batch holds them. */
  Map<String, Object> identifyingParameters();

  /** Where the execution stands. */
  BatchStatus status();

  /** The exit code, e.g. {@code COMPLETED}, {@code FAILED} or a custom one. */
  String exitCode();

  /** The exit description; empty when there is none. */
  String exitDescription();

  /** When this execution started, if it did. */
  @Nullable LocalDateTime startTime();

  /** When this execution ended, if it has. */
  @Nullable LocalDateTime endTime();

  /** Exceptions that failed the job itself, outside any step. */
  List<Throwable> failures();

  /** This execution's step executions. */
  List<StepRun> steps();

  /**
   * Earlier executions of the same instance from the job repository, with their steps. May throw
   * when the repository cannot answer; the caller then falls back to this execution alone.
   */
  List<PastExecution> earlierExecutions() throws Exception;

  /**
   * How many executions of {@code stepName} the instance has, the running one included. May throw
   * when the repository cannot answer.
   */
  long stepExecutionCount(String stepName) throws Exception;
}
