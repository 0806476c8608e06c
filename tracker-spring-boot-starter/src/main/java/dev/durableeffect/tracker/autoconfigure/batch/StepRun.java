package dev.durableeffect.tracker.autoconfigure.batch;

import java.time.LocalDateTime;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.batch.core.BatchStatus;

/**
 * One step execution as plain values, read from either Batch line. {@link BatchStatus} is the one
 * Batch type used here: it kept its package in Batch 6.
 *
 * @param id the step execution id
 * @param stepName the step's name
 * @param status where the step execution stands
 * @param startTime when it started, in the JVM's zone as Batch records it
 * @param endTime when it ended, if it has
 * @param failures the exceptions it failed with, first the one that ended it
 */
record StepRun(
    long id,
    String stepName,
    BatchStatus status,
    @Nullable LocalDateTime startTime,
    @Nullable LocalDateTime endTime,
    List<Throwable> failures) {

  StepRun {
    failures = List.copyOf(failures);
  }
}
