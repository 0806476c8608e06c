package dev.durableeffect.tracker.event;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.jspecify.annotations.Nullable;

/**
 * What went wrong, as carried by {@code workflow.failed} and {@code step.failed}. Absent parts are
 * left out of the JSON. {@code step.failed} carries only {@code message} and {@code stack}: the
 * step and attempt are fields of that event itself.
 *
 * @param message the error message; required
 * @param stack the stack trace text, if known
 * @param stepName the step that failed, if known ({@code workflow.failed} only)
 * @param attempt the attempt that failed, if known ({@code workflow.failed} only)
 */
public record ErrorDetails(
    String message, @Nullable String stack, @Nullable String stepName, @Nullable Integer attempt) {

  /** Validates the message and, when present, the attempt. */
  public ErrorDetails {
    Validate.requireText(message, "error.message");
    if (attempt != null) {
      Validate.requireAttempt(attempt, "error.attempt");
    }
    stepName = Validate.blankToNull(stepName);
  }

  /** An error with a message only. */
  public static ErrorDetails of(String message) {
    return new ErrorDetails(message, null, null, null);
  }

  /**
   * Describes a throwable: its message (its class name when it has none) and its stack trace.
   */
  public static ErrorDetails of(Throwable error) {
    String message = error.getMessage();
    if (message == null || message.isBlank()) {
      message = error.getClass().getName();
    }
    StringWriter stack = new StringWriter();
    error.printStackTrace(new PrintWriter(stack));
    return new ErrorDetails(message, stack.toString(), null, null);
  }

  /** A copy that names the step and attempt where the error happened. */
  public ErrorDetails at(String stepName, int attempt) {
    return new ErrorDetails(message, stack, stepName, attempt);
  }

  /** A copy with only message and stack, the shape {@code step.failed} carries. */
  public ErrorDetails withoutLocation() {
    return stepName == null && attempt == null ? this : new ErrorDetails(message, stack, null, null);
  }
}
