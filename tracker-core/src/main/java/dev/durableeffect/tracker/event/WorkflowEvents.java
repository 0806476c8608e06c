package dev.durableeffect.tracker.event;

import java.time.Clock;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/** Factories for base and wire events, the counterparts of the reference's helpers. */
public final class WorkflowEvents {

  private WorkflowEvents() {}

  /**
   * A fresh UUID version 7 in canonical lower-case text: unique, and ordered by creation time
   * across threads.
   */
  public static String newEventId() {
    return EventIds.next(System.currentTimeMillis());
  }

  /** Base fields with a fresh UUID v7 id, the current time, and no execution id. */
  public static BaseEvent createBaseEvent(String workflowId, String workflowName) {
    return createBaseEvent(workflowId, workflowName, null);
  }

  /**
   * Base fields with a fresh UUID v7 id and the current time truncated to milliseconds; an empty
   * {@code executionId} counts as absent.
   */
  public static BaseEvent createBaseEvent(
      String workflowId, String workflowName, @Nullable String executionId) {
    // One clock read serves the id and the timestamp; whole milliseconds need no truncation.
    long now = System.currentTimeMillis();
    return new BaseEvent(EventIds.next(now), Instant.ofEpochMilli(now), workflowId, workflowName, executionId);
  }

  /**
   * As {@link #createBaseEvent(String, String, String)}, reading the timestamp from {@code clock}.
   * The id always embeds the real time, so a test's fixed clock cannot disorder ids.
   */
  public static BaseEvent createBaseEvent(
      String workflowId, String workflowName, @Nullable String executionId, Clock clock) {
    return new BaseEvent(
        newEventId(), Instant.ofEpochMilli(clock.millis()), workflowId, workflowName, executionId);
  }

  /** Adds the environment and service key, as the tracker does before sending. */
  public static WireEvent enrichEvent(WorkflowEvent event, String env, String serviceKey) {
    return new WireEvent(event, env, serviceKey);
  }
}
