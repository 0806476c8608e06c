package dev.durableeffect.tracker.autoconfigure.batch;

import dev.durableeffect.tracker.EventTracker;
import dev.durableeffect.tracker.autoconfigure.DurableTrackerAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.ImportSelector;
import org.springframework.core.type.AnnotationMetadata;

/**
 * Tracks every Spring Batch job bean as a workflow, with no code in the application: a bean
 * post-processor registers a job and step listener on each job and its steps. On when Spring Batch
 * is on the classpath and a tracker exists; off with {@code durable.tracker.batch.enabled=false}.
 *
 * <p>Batch 6 (Boot 4) and Batch 5.2 (Boot 3.5) keep the listener types in different packages, so
 * each line has its own small configuration and adapter of {@link BatchWorkflowEvents}, guarded by
 * {@code @ConditionalOnClass} on that line's listener type.
 */
@AutoConfiguration(after = DurableTrackerAutoConfiguration.class)
@ConditionalOnClass(name = "org.springframework.batch.core.BatchStatus")
@ConditionalOnProperty(prefix = "durable.tracker.batch", name = "enabled", havingValue = "true", matchIfMissing = true)
@ConditionalOnBean(EventTracker.class)
@Import(DurableTrackerBatchAutoConfiguration.BatchLines.class)
public class DurableTrackerBatchAutoConfiguration {

  /**
   * Imports each line's configuration; the one whose Batch types are absent backs off. Named rather
   * than referenced because the Batch 5.2 adapter is compiled after this class, against Batch 5.2.
   */
  static final class BatchLines implements ImportSelector {

    @Override
    public String[] selectImports(AnnotationMetadata importingClassMetadata) {
      return new String[] {
        "dev.durableeffect.tracker.autoconfigure.batch.Batch6Configuration",
        "dev.durableeffect.tracker.autoconfigure.batch.Batch5Configuration"
      };
    }
  }
}
