package dev.durableeffect.tracker.event;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** The 16 workflow lifecycle event types, each with its wire name (the JSON {@code type} value). */
public enum WorkflowEventType {
  WORKFLOW_STARTED("workflow.started"),
  WORKFLOW_QUEUED("workflow.queued"),
  WORKFLOW_COMPLETED("workflow.completed"),
  WORKFLOW_FAILED("workflow.failed"),
  WORKFLOW_PAUSED("workflow.paused"),
  WORKFLOW_RESUMED("workflow.resumed"),
  WORKFLOW_CANCELLED("workflow.cancelled"),
  STEP_STARTED("step.started"),
  STEP_COMPLETED("step.completed"),
  STEP_FAILED("step.failed"),
  RETRY_SCHEDULED("retry.scheduled"),
  RETRY_EXHAUSTED("retry.exhausted"),
  SLEEP_STARTED("sleep.started"),
  SLEEP_COMPLETED("sleep.completed"),
  TIMEOUT_SET("timeout.set"),
  TIMEOUT_EXCEEDED("timeout.exceeded");

  private static final Map<String, WorkflowEventType> BY_WIRE_NAME = new HashMap<>();

  static {
    for (WorkflowEventType type : values()) {
      BY_WIRE_NAME.put(type.wireName, type);
    }
  }

  private final String wireName;

  WorkflowEventType(String wireName) {
    this.wireName = wireName;
  }

  /** The JSON {@code type} value, for example {@code step.completed}. */
  public String wireName() {
    return wireName;
  }

  /** Looks a type up by its wire name; empty when the name is not one of the 16. */
  public static Optional<WorkflowEventType> fromWireName(String wireName) {
    return Optional.ofNullable(BY_WIRE_NAME.get(wireName));
  }

  @Override
  public String toString() {
    return wireName;
  }
}
