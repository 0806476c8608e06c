package dev.durableeffect.tracker.sample.batch;

import dev.durableeffect.tracker.sample.DemoProperties;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The {@code nightly-settlement} job: {@code collect-payments}, {@code settle-accounts}, {@code
 * publish-report}. Plain Spring Batch: the starter tracks it because it is a job bean. {@code
 * settle-accounts} fails while the {@link Ledger} is locked, so its first execution fails and a
 * restart of the same instance finishes it.
 *
 * <p>{@link SettlementDemo} launches the job; {@code spring.batch.job.enabled=false} in {@code
 * application.yml} keeps Boot from launching it a second time at startup.
 */
@Configuration(proxyBeanMethods = false)
public class SettlementJob {

  /** The job's name, also the tracked workflow's name. */
  public static final String NAME = "nightly-settlement";

  /** Locked until the demo unlocks it: {@code settle-accounts} fails while it is. */
  public static final class Ledger {
    private final AtomicBoolean locked = new AtomicBoolean(true);

    void settle() {
      if (locked.get()) {
        throw new IllegalStateException("ledger is locked by the month-end close");
      }
    }

    /** Lets the next run of {@code settle-accounts} through. */
    public void unlock() {
      locked.set(false);
    }
  }

  @Bean
  Ledger settlementLedger() {
    return new Ledger();
  }

  @Bean
  Job nightlySettlement(
      JobRepository jobRepository, PlatformTransactionManager transactions, Ledger ledger, DemoProperties demo) {
    return new JobBuilder(NAME, jobRepository)
        .start(step("collect-payments", jobRepository, transactions, demo, 700, () -> {}))
        .next(step("settle-accounts", jobRepository, transactions, demo, 500, ledger::settle))
        .next(step("publish-report", jobRepository, transactions, demo, 400, () -> {}))
        .build();
  }

  /** A tasklet step that works for {@code millis} (scaled by {@code demo.pace}), then runs {@code body}. */
  private static Step step(
      String name,
      JobRepository jobRepository,
      PlatformTransactionManager transactions,
      DemoProperties demo,
      long millis,
      Runnable body) {
    Duration work = Duration.ofMillis(Math.round(millis * demo.pace()));
    return new StepBuilder(name, jobRepository)
        .tasklet(
            (contribution, chunkContext) -> {
              Thread.sleep(work.toMillis());
              body.run();
              return RepeatStatus.FINISHED;
            },
            transactions)
        .build();
  }
}
