package dev.durableeffect.tracker.event;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The fields every workflow event carries. Create one with {@link
 * WorkflowEvents#createBaseEvent(String, String, String)} for a fresh UUID v7 id and the current
 * time.
 *
 * @param eventId unique id of the event, a UUID version 7 in canonical lower-case text
 * @param timestamp when the event occurred; written with millisecond precision
 * @param workflowId id of the workflow instance
 * @param workflowName name of the workflow definition
 * @param executionId caller-supplied correlation id; {@code null} when absent (blank counts as
 *     absent)
 */
public record BaseEvent(
    String eventId,
    Instant timestamp,
    String workflowId,
    String workflowName,
    @Nullable String executionId) {

  /** Validates the required fields and normalizes a blank {@code executionId} to absent. */
  public BaseEvent {
    Validate.requireText(eventId, "eventId");
    Validate.requireInstant(timestamp, "timestamp");
    Validate.requireText(workflowId, "workflowId");
    Validate.requireText(workflowName, "workflowName");
    executionId = Validate.blankToNull(executionId);
  }
}
