package dev.durableeffect.tracker;

import dev.durableeffect.tracker.event.BaseEvent;
import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.event.WorkflowEvents;
import java.util.List;

/** Event factories for tests, like the seed's test helpers. */
public final class TestEvents {

  private TestEvents() {}

  public static WorkflowEvent.WorkflowStarted workflowStarted(BaseEvent base, Object input) {
    return new WorkflowEvent.WorkflowStarted(base, input);
  }

  public static WorkflowEvent.StepStarted stepStarted(BaseEvent base, String stepName, int attempt) {
    return new WorkflowEvent.StepStarted(base, stepName, attempt);
  }

  public static WorkflowEvent.WorkflowCompleted workflowCompleted(
      BaseEvent base, long durationMs, List<String> completedSteps) {
    return new WorkflowEvent.WorkflowCompleted(base, completedSteps, durationMs);
  }

  /** A step.started event with a fresh base, numbered for identification. */
  public static WorkflowEvent.StepStarted numbered(int n) {
    return new WorkflowEvent.StepStarted(
        WorkflowEvents.createBaseEvent("wf-" + n, "test", "exec-" + n), "step-" + n, 1);
  }
}
