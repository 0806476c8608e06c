package dev.durableeffect.tracker.autoconfigure.batch;

import dev.durableeffect.tracker.EventTracker;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.function.SingletonSupplier;

/** Spring Batch 5.2 (Spring Boot 3.5): listeners on every job bean. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(name = "org.springframework.batch.core.JobExecutionListener")
class Batch5Configuration {

  /** Static: a post-processor must not pull the tracker or the job repository in early. */
  @Bean
  @ConditionalOnMissingBean(name = "durableTrackerBatchInstrumenter")
  static Batch5JobInstrumenter durableTrackerBatchInstrumenter(
      ObjectProvider<EventTracker> tracker, ObjectProvider<JobRepository> jobRepository) {
    return new Batch5JobInstrumenter(
        new BatchWorkflowEvents(SingletonSupplier.of(tracker::getIfUnique)),
        SingletonSupplier.of(jobRepository::getIfUnique));
  }
}
