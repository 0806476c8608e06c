package dev.durableeffect.tracker.benchmarks;

import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.event.WorkflowEvents;

/** The event every benchmark emits: a step.completed of realistic size. */
public final class Events {

  private Events() {}

  /** A step.completed of workflow {@code order-n}. */
  public static WorkflowEvent stepCompleted(int n) {
    return new WorkflowEvent.StepCompleted(
        WorkflowEvents.createBaseEvent("order-" + n, "processOrder", "exec-" + n), "charge-payment", 1, 42, false);
  }
}
