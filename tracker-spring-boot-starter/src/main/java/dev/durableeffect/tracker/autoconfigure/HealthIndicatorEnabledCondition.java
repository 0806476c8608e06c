package dev.durableeffect.tracker.autoconfigure;

import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Boot's usual switch, on both lines: {@code management.health.durable-tracker.enabled}, falling
 * back to {@code management.health.defaults.enabled}, else on.
 */
final class HealthIndicatorEnabledCondition extends SpringBootCondition {

  @Override
  public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
    Environment environment = context.getEnvironment();
    ConditionMessage.Builder message = ConditionMessage.forCondition("durable-tracker health indicator");
    Boolean own = environment.getProperty("management.health.durable-tracker.enabled", Boolean.class);
    boolean enabled =
        own != null ? own : environment.getProperty("management.health.defaults.enabled", Boolean.class, true);
    return enabled
        ? ConditionOutcome.match(message.because("enabled"))
        : ConditionOutcome.noMatch(message.because("management.health.durable-tracker.enabled is false"));
  }
}
