package dev.durableeffect.tracker.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventValidationTest {

  private static final BaseEvent BASE = WorkflowEvents.createBaseEvent("wf-1", "order");

  @Test
  void requiredStringsMustBePresentAndNotBlank() {
    assertThatThrownBy(() -> new BaseEvent("id", Instant.now(), null, "name", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("workflowId is required but was null");
    assertThatThrownBy(() -> new BaseEvent("id", Instant.now(), "wf", " ", null))
        .hasMessage("workflowName must not be blank but was ' '");
    assertThatThrownBy(() -> new BaseEvent("", Instant.now(), "wf", "name", null))
        .hasMessage("eventId must not be blank but was ''");
    assertThatThrownBy(() -> new BaseEvent("id", null, "wf", "name", null))
        .hasMessage("timestamp is required but was null");
    assertThatThrownBy(() -> new WorkflowEvent.StepStarted(BASE, "", 1))
        .hasMessage("stepName must not be blank but was ''");
  }

  @Test
  void attemptsStartAtOne() {
    assertThatThrownBy(() -> new WorkflowEvent.StepStarted(BASE, "fetch", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("attempt must be >= 1 but was 0");
    assertThatThrownBy(() -> new WorkflowEvent.RetryExhausted(BASE, "fetch", -2))
        .hasMessage("attempts must be >= 1 but was -2");
    assertThatThrownBy(() -> new ErrorDetails("boom", null, "fetch", 0))
        .hasMessage("error.attempt must be >= 1 but was 0");
  }

  @Test
  void durationsMustNotBeNegative() {
    assertThatThrownBy(() -> new WorkflowEvent.SleepCompleted(BASE, -1))
        .hasMessage("durationMs must be >= 0 but was -1");
    assertThatThrownBy(() -> new WorkflowEvent.TimeoutExceeded(BASE, "s", -5))
        .hasMessage("timeoutMs must be >= 0 but was -5");
    assertThatThrownBy(
            () -> new WorkflowEvent.RetryScheduled(BASE, "s", 2, Instant.now(), -10))
        .hasMessage("delayMs must be >= 0 but was -10");
    assertThat(new WorkflowEvent.SleepCompleted(BASE, 0).durationMs()).isZero();
  }

  @Test
  void requiredObjectsMustBePresent() {
    assertThatThrownBy(() -> new WorkflowEvent.WorkflowPaused(BASE, null, null, null))
        .hasMessage("reason is required but was null");
    assertThatThrownBy(() -> new WorkflowEvent.SleepStarted(BASE, 10, null))
        .hasMessage("resumeAt is required but was null");
    assertThatThrownBy(() -> new WorkflowEvent.WorkflowFailed(BASE, null, List.of()))
        .hasMessage("error is required but was null");
    assertThatThrownBy(() -> new WorkflowEvent.WorkflowResumed(null))
        .hasMessage("base is required but was null");
    assertThatThrownBy(() -> ErrorDetails.of(""))
        .hasMessage("error.message must not be blank but was ''");
  }

  @Test
  void stepListsAreCopiedImmutablyAndRejectNulls() {
    List<String> steps = new ArrayList<>(List.of("a", "b"));
    WorkflowEvent.WorkflowCompleted completed = new WorkflowEvent.WorkflowCompleted(BASE, steps, 5);
    steps.add("c");

    assertThat(completed.completedSteps()).containsExactly("a", "b");
    assertThatThrownBy(() -> completed.completedSteps().add("x"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(
            () -> new WorkflowEvent.WorkflowCancelled(BASE, null, Arrays.asList("a", null)))
        .hasMessage("completedSteps[1] must not be null");
    assertThatThrownBy(() -> new WorkflowEvent.WorkflowCompleted(BASE, null, 5))
        .hasMessage("completedSteps is required but was null");
  }

  @Test
  void stepFailedCarriesOnlyMessageAndStack() {
    ErrorDetails located = new ErrorDetails("boom", "trace", "fetch", 2);

    WorkflowEvent.StepFailed failed = new WorkflowEvent.StepFailed(BASE, "fetch", 2, located, true);

    assertThat(failed.error()).isEqualTo(new ErrorDetails("boom", "trace", null, null));
    assertThat(new WorkflowEvent.StepFailed(BASE, "fetch", 2, new ErrorDetails("boom", "trace", "fetch", null), true).error())
        .as("a step name without an attempt")
        .isEqualTo(new ErrorDetails("boom", "trace", null, null));
    assertThat(new WorkflowEvent.StepFailed(BASE, "fetch", 2, new ErrorDetails("boom", "trace", null, 2), true).error())
        .as("an attempt without a step name")
        .isEqualTo(new ErrorDetails("boom", "trace", null, null));
  }

  @Test
  void errorDetailsOfThrowableUsesMessageOrClassNameAndStack() {
    ErrorDetails withMessage = ErrorDetails.of(new IllegalStateException("card declined"));
    ErrorDetails withoutMessage = ErrorDetails.of(new NullPointerException());

    assertThat(withMessage.message()).isEqualTo("card declined");
    assertThat(withMessage.stack()).contains("IllegalStateException: card declined", "at ");
    assertThat(withoutMessage.message()).isEqualTo("java.lang.NullPointerException");
    assertThat(withMessage.at("charge", 3).stepName()).isEqualTo("charge");
    assertThat(withMessage.at("charge", 3).attempt()).isEqualTo(3);
  }
}
