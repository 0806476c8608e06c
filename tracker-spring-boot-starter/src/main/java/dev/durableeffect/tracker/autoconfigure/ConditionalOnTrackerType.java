package dev.durableeffect.tracker.autoconfigure;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.context.annotation.Conditional;

/** Matches when {@code durable.tracker.type}, or its default, selects the given type. */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Conditional(TrackerTypeCondition.class)
@interface ConditionalOnTrackerType {

  /** The tracker type this configuration provides. */
  TrackerType value();
}
