package dev.durableeffect.tracker.autoconfigure.batch;

import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameter;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;

/** A Spring Batch 6 job execution as a {@link JobRun}; history comes from the job repository. */
final class Batch6JobRun implements JobRun {

  private final JobExecution execution;
  private final @Nullable JobRepository repository;

  Batch6JobRun(JobExecution execution, @Nullable JobRepository repository) {
    this.execution = execution;
    this.repository = repository;
  }

  static StepRun step(StepExecution step) {
    return new StepRun(
        step.getId(), step.getStepName(), step.getStatus(), step.getStartTime(), step.getEndTime(), step.getFailureExceptions());
  }

  @Override
  public String jobName() {
    return execution.getJobInstance().getJobName();
  }

  @Override
  public long instanceId() {
    return execution.getJobInstance().getInstanceId();
  }

  @Override
  public long executionId() {
    return execution.getId();
  }

  @Override
  public Map<String, Object> identifyingParameters() {
    Map<String, Object> parameters = new LinkedHashMap<>();
    for (JobParameter<?> parameter : execution.getJobParameters().getIdentifyingParameters()) {
      parameters.put(parameter.name(), parameter.value());
    }
    return parameters;
  }

  @Override
  public BatchStatus status() {
    return execution.getStatus();
  }

  @Override
  public String exitCode() {
    return execution.getExitStatus().getExitCode();
  }

  @Override
  public String exitDescription() {
    return execution.getExitStatus().getExitDescription();
  }

  @Override
  public @Nullable LocalDateTime startTime() {
    return execution.getStartTime();
  }

  @Override
  public @Nullable LocalDateTime endTime() {
    return execution.getEndTime();
  }

  @Override
  public List<Throwable> failures() {
    return execution.getFailureExceptions();
  }

  @Override
  public List<StepRun> steps() {
    return execution.getStepExecutions().stream().map(Batch6JobRun::step).toList();
  }

  @Override
  public List<PastExecution> earlierExecutions() {
    if (repository == null) {
      return List.of();
    }
    return repository.getJobExecutions(execution.getJobInstance()).stream()
        .filter(earlier -> earlier.getId() < execution.getId())
        .map(earlier -> new PastExecution(
            earlier.getId(), earlier.getStartTime(), earlier.getStepExecutions().stream().map(Batch6JobRun::step).toList()))
        .toList();
  }

  @Override
  public long stepExecutionCount(String stepName) throws Exception {
    if (repository == null) {
      throw new IllegalStateException("no unique JobRepository bean");
    }
    return repository.getStepExecutionCount(execution.getJobInstance(), stepName);
  }
}
