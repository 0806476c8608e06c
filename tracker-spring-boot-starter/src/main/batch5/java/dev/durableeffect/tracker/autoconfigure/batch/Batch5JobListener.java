package dev.durableeffect.tracker.autoconfigure.batch;

import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.JobExecution;
import org.springframework.batch.core.JobExecutionListener;
import org.springframework.batch.core.StepExecution;
import org.springframework.batch.core.StepExecutionListener;
import org.springframework.batch.core.repository.JobRepository;

/** Spring Batch 5.2 job and step callbacks, handed to {@link BatchWorkflowEvents} as plain values. */
final class Batch5JobListener implements JobExecutionListener, StepExecutionListener {

  private final BatchWorkflowEvents events;
  private final Supplier<@Nullable JobRepository> jobRepository;

  Batch5JobListener(BatchWorkflowEvents events, Supplier<@Nullable JobRepository> jobRepository) {
    this.events = events;
    this.jobRepository = jobRepository;
  }

  @Override
  public void beforeJob(JobExecution jobExecution) {
    events.guarded("beforeJob", () -> events.jobStarted(run(jobExecution)));
  }

  @Override
  public void afterJob(JobExecution jobExecution) {
    events.guarded("afterJob", () -> events.jobEnded(run(jobExecution)));
  }

  @Override
  public void beforeStep(StepExecution stepExecution) {
    events.guarded(
        "beforeStep",
        () -> events.stepStarted(run(stepExecution.getJobExecution()), Batch5JobRun.step(stepExecution)));
  }

  @Override
  public @Nullable ExitStatus afterStep(StepExecution stepExecution) {
    events.guarded(
        "afterStep",
        () -> events.stepEnded(run(stepExecution.getJobExecution()), Batch5JobRun.step(stepExecution)));
    return null;
  }

  private Batch5JobRun run(JobExecution jobExecution) {
    return new Batch5JobRun(jobExecution, jobRepository.get());
  }
}
