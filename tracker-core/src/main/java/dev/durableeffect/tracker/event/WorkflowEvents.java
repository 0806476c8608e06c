package dev.durableeffect.tracker.event;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import org.jspecify.annotations.Nullable;

/** Factories for base and wire events, the counterparts of the reference's helpers. */
public final class WorkflowEvents {

  /** One shared generator: it keeps ids created in the same millisecond unique and ordered. */
  private static final TimeBasedEpochGenerator UUID_V7 = Generators.timeBasedEpochGenerator();

  private WorkflowEvents() {}

  /** A fresh UUID version 7 in canonical lower-case text. */
  public static String newEventId() {
    return UUID_V7.generate().toString();
  }

  /** Base fields with a fresh UUID v7 id, the current time, and no execution id. */
  public static BaseEvent createBaseEvent(String workflowId, String workflowName) {
    return createBaseEvent(workflowId, workflowName, null, Clock.systemUTC());
  }

  /**
   * Base fields with a fresh UUID v7 id and the current time truncated to milliseconds; an empty
   * {@code executionId} counts as absent.
   */
  public static BaseEvent createBaseEvent(
      String workflowId, String workflowName, @Nullable String executionId) {
    return createBaseEvent(workflowId, workflowName, executionId, Clock.systemUTC());
  }

  /** As {@link #createBaseEvent(String, String, String)}, reading the time from {@code clock}. */
  public static BaseEvent createBaseEvent(
      String workflowId, String workflowName, @Nullable String executionId, Clock clock) {
    return new BaseEvent(
        newEventId(),
        clock.instant().truncatedTo(ChronoUnit.MILLIS),
        workflowId,
        workflowName,
        executionId);
  }

  /** Adds the environment and service key, as the tracker does before sending. */
  public static WireEvent enrichEvent(WorkflowEvent event, String env, String serviceKey) {
    return new WireEvent(event, env, serviceKey);
  }
}
