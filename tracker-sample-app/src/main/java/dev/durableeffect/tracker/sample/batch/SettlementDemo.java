package dev.durableeffect.tracker.sample.batch;

import dev.durableeffect.tracker.sample.DemoProperties;
import java.time.LocalDate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.stereotype.Component;

/**
 * Unless {@code demo.autorun=false}: runs {@code nightly-settlement} for today, which fails in
 * {@code settle-accounts}; then unlocks the ledger and restarts the same job instance, which the page
 * shows as the same workflow resumed, the failed step on its second attempt.
 */
@Component
public class SettlementDemo implements ApplicationListener<ApplicationReadyEvent> {

  private static final Logger LOGGER = LoggerFactory.getLogger(SettlementDemo.class);

  private final JobOperator jobOperator;
  private final Job job;
  private final SettlementJob.Ledger ledger;
  private final DemoProperties properties;

  public SettlementDemo(
      JobOperator jobOperator, Job nightlySettlement, SettlementJob.Ledger ledger, DemoProperties properties) {
    this.jobOperator = jobOperator;
    this.job = nightlySettlement;
    this.ledger = ledger;
    this.properties = properties;
  }

  @Override
  public void onApplicationEvent(ApplicationReadyEvent event) {
    if (properties.autorun()) {
      Thread runner = new Thread(this::failThenRestart, "settlement-demo");
      runner.setDaemon(true);
      runner.start();
    }
  }

  private void failThenRestart() {
    JobParameters today = new JobParametersBuilder().addLocalDate("day", LocalDate.now()).toJobParameters();
    try {
      JobExecution first = jobOperator.start(job, today);
      LOGGER.info("{} ended {}; restarting it once the ledger is unlocked", SettlementJob.NAME, first.getStatus());
      Thread.sleep(Math.round(2000 * properties.pace()));
      ledger.unlock();
      JobExecution restart = jobOperator.start(job, today);
      LOGGER.info("{} restarted: {}", SettlementJob.NAME, restart.getStatus());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOGGER.warn("the Spring Batch demo could not run {}: {}", SettlementJob.NAME, e.toString());
    }
  }
}
