package dev.durableeffect.tracker.autoconfigure;

import java.util.Map;
import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.StringUtils;

/**
 * Picks the tracker type the way Boot picks {@code spring.cache.type}: binds the enum (relaxed, so
 * {@code in-memory} and {@code IN_MEMORY} both work) and compares it with the configuration's type.
 * Unset means http when an endpoint is configured, otherwise noop.
 */
final class TrackerTypeCondition extends SpringBootCondition {

  @Override
  public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
    Map<String, Object> attributes =
        metadata.getAnnotationAttributes(ConditionalOnTrackerType.class.getName());
    TrackerType wanted = (TrackerType) attributes.get("value");
    ConditionMessage.Builder message = ConditionMessage.forCondition("durable.tracker.type", wanted);
    TrackerType selected;
    try {
      selected = selected(context.getEnvironment());
    } catch (BindException e) {
      // Reported at startup by the binding of DurableTrackerProperties, with the valid values.
      return ConditionOutcome.noMatch(message.because("durable.tracker.type could not be bound"));
    }
    return selected == wanted
        ? ConditionOutcome.match(message.because("selected " + selected))
        : ConditionOutcome.noMatch(message.because("selected " + selected));
  }

  static TrackerType selected(Environment environment) {
    Binder binder = Binder.get(environment);
    return binder
        .bind("durable.tracker.type", TrackerType.class)
        .orElseGet(
            () ->
                StringUtils.hasText(environment.getProperty("durable.tracker.endpoint"))
                    ? TrackerType.HTTP
                    : TrackerType.NOOP);
  }
}
