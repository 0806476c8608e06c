package dev.durableeffect.tracker.autoconfigure.batch;

import java.time.LocalDateTime;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An earlier execution of the same job instance, as the job repository has it.
 *
 * @param executionId the job execution id
 * @param startTime when it started, if it did
 * @param steps its step executions
 */
record PastExecution(long executionId, @Nullable LocalDateTime startTime, List<StepRun> steps) {

  PastExecution {
    steps = List.copyOf(steps);
  }
}
