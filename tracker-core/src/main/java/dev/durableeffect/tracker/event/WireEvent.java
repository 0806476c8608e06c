package dev.durableeffect.tracker.event;

/**
 * An event as sent to the tracking service: the internal event enriched with the environment and
 * the sending service's key.
 *
 * @param event the workflow event
 * @param env the environment, for example {@code production}
 * @param serviceKey identifies the sending service
 */
public record WireEvent(WorkflowEvent event, String env, String serviceKey) {

  /** Validates that all three parts are present. */
  public WireEvent {
    Validate.requireNonNull(event, "event");
    Validate.requireText(env, "env");
    Validate.requireText(serviceKey, "serviceKey");
  }
}
