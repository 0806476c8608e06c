package dev.durableeffect.tracker.autoconfigure.batch;

import org.springframework.batch.core.Job;
import org.springframework.batch.core.Step;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.repeat.RepeatStatus;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The scenarios' jobs, written with the Spring Batch 5.2 API as an application would: no tracking code
 * in them.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
class Batch5Jobs {

  private final JobRepository repository;
  private final PlatformTransactionManager transactions;

  Batch5Jobs(JobRepository repository, PlatformTransactionManager transactions) {
    this.repository = repository;
    this.transactions = transactions;
  }

  @Bean
  JobBehaviour jobBehaviour() {
    return new JobBehaviour();
  }

  @Bean
  Job report() {
    return new JobBuilder("report", repository).start(tasklet("render", () -> {})).build();
  }

  @Bean
  Job transfer(JobBehaviour behaviour) {
    return new JobBuilder("transfer", repository)
        .start(tasklet("extract", () -> {}))
        .next(tasklet("load", behaviour::load))
        .build();
  }

  @Bean
  Job stoppable(JobBehaviour behaviour, ObjectProvider<JobOperator> jobOperator) {
    Step drain =
        new StepBuilder("drain", repository)
            .tasklet(
                (contribution, chunkContext) -> {
                  if (behaviour.shouldStop()) {
                    jobOperator.getObject().stop(contribution.getStepExecution().getJobExecutionId());
                  }
                  return RepeatStatus.FINISHED;
                },
                transactions)
            .build();
    return new JobBuilder("stoppable", repository).start(tasklet("prepare", () -> {})).next(drain).build();
  }

  @Bean
  Job importPrices(JobBehaviour behaviour) {
    Step price =
        new StepBuilder("price", repository)
            .<Integer, Integer>chunk(5, transactions)
            .reader(behaviour::nextItem)
            .processor(behaviour::process)
            .writer(chunk -> {})
            .faultTolerant()
            .retry(JobBehaviour.TransientFailure.class)
            .retryLimit(3) // Batch 5.2 counts attempts: three attempts per item
            .build();
    return new JobBuilder("import-prices", repository).start(price).build();
  }

  @Bean
  Step audit() {
    return tasklet("audit", () -> {});
  }

  @Bean
  Job auditNightly(Step audit) {
    return new JobBuilder("audit-nightly", repository).start(audit).build();
  }

  @Bean
  Job auditWeekly(Step audit) {
    return new JobBuilder("audit-weekly", repository).start(audit).build();
  }

  private Step tasklet(String name, Runnable body) {
    return new StepBuilder(name, repository)
        .tasklet(
            (contribution, chunkContext) -> {
              body.run();
              return RepeatStatus.FINISHED;
            },
            transactions)
        .build();
  }
}
