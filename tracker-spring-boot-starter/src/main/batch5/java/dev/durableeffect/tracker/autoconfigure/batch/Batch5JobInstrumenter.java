package dev.durableeffect.tracker.autoconfigure.batch;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.Step;
import org.springframework.batch.core.job.AbstractJob;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.AbstractStep;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Registers the tracking listener on every Spring Batch 5.2 job bean and on each of its steps (once
 * per step, also when jobs share it). A job it cannot instrument is logged and left as it is.
 */
final class Batch5JobInstrumenter implements BeanPostProcessor {

  private static final Logger LOGGER = LoggerFactory.getLogger(Batch5JobInstrumenter.class);

  private final Batch5JobListener listener;
  private final Set<Object> instrumented = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));

  Batch5JobInstrumenter(BatchWorkflowEvents events, Supplier<@Nullable JobRepository> jobRepository) {
    this.listener = new Batch5JobListener(events, jobRepository);
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    if (bean instanceof AbstractJob job && instrumented.add(job)) {
      try {
        job.registerJobExecutionListener(listener);
        for (String stepName : job.getStepNames()) {
          Step step = job.getStep(stepName);
          if (step instanceof AbstractStep abstractStep && instrumented.add(abstractStep)) {
            abstractStep.registerStepExecutionListener(listener);
          }
        }
      } catch (RuntimeException e) {
        LOGGER.warn("durable-tracker: could not track Spring Batch job {}: {}", beanName, e.toString());
      }
    }
    return bean;
  }
}
