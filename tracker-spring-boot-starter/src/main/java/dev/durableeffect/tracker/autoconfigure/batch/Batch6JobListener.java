package dev.durableeffect.tracker.autoconfigure.batch;

import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;

/** Spring Batch 6 job and step callbacks, handed to {@link BatchWorkflowEvents} as plain values. */
final class Batch6JobListener implements JobExecutionListener, StepExecutionListener {

  private final BatchWorkflowEvents events;
  private final Supplier<@Nullable JobRepository> jobRepository;

  Batch6JobListener(BatchWorkflowEvents events, Supplier<@Nullable JobRepository> jobRepository) {
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
        () -> events.stepStarted(run(stepExecution.getJobExecution()), Batch6JobRun.step(stepExecution)));
  }

  @Override
  public @Nullable ExitStatus afterStep(StepExecution stepExecution) {
    events.guarded(
        "afterStep",
        () -> events.stepEnded(run(stepExecution.getJobExecution()), Batch6JobRun.step(stepExecution)));
    return null;
  }

  private Batch6JobRun run(JobExecution jobExecution) {
    return new Batch6JobRun(jobExecution, jobRepository.get());
  }
}
