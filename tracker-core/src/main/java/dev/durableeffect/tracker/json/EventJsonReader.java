package dev.durableeffect.tracker.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.durableeffect.tracker.event.BaseEvent;
import dev.durableeffect.tracker.event.ErrorDetails;
import dev.durableeffect.tracker.event.PauseReason;
import dev.durableeffect.tracker.event.WireEvent;
import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.event.WorkflowEventType;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Reads wire batches: tolerant of unknown fields, strict about required ones. */
final class EventJsonReader {

  private EventJsonReader() {}

  static List<WireEvent> readBatch(byte[] json) {
    JsonNode root;
    try {
      root = EventJson.MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new EventJsonException("body: not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new EventJsonException("body: unreadable: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new EventJsonException(
          "body: expected a JSON object with an \"events\" array but was "
              + (root == null || root.isMissingNode() ? "empty" : kind(root)));
    }
    JsonNode events = root.get("events");
    if (events == null) {
      throw new EventJsonException("events: required field is missing");
    }
    if (!events.isArray()) {
      throw new EventJsonException("events: expected an array but was " + kind(events));
    }
    List<WireEvent> result = new ArrayList<>(events.size());
    for (int i = 0; i < events.size(); i++) {
      result.add(readWireEvent(new Fields("events[" + i + "]", events.get(i))));
    }
    return result;
  }

  private static WireEvent readWireEvent(Fields f) {
    WorkflowEvent event = readEvent(f);
    return f.construct(() -> new WireEvent(event, f.text("env"), f.text("serviceKey")));
  }

  private static WorkflowEvent readEvent(Fields f) {
    String typeName = f.text("type");
    WorkflowEventType type =
        WorkflowEventType.fromWireName(typeName)
            .orElseThrow(() -> f.error("type", "unknown event type '" + typeName + "'"));
    BaseEvent base =
        f.construct(
            () ->
                new BaseEvent(
                    f.text("eventId"),
                    f.instant("timestamp"),
                    f.text("workflowId"),
                    f.text("workflowName"),
                    f.optionalText("executionId")));
    return f.construct(() -> create(type, base, f));
  }

  private static WorkflowEvent create(WorkflowEventType type, BaseEvent base, Fields f) {
    return switch (type) {
      case WORKFLOW_STARTED -> new WorkflowEvent.WorkflowStarted(base, f.input());
      case WORKFLOW_QUEUED -> new WorkflowEvent.WorkflowQueued(base, f.input());
      case WORKFLOW_COMPLETED ->
          new WorkflowEvent.WorkflowCompleted(base, f.steps(), f.millis("durationMs"));
      case WORKFLOW_FAILED -> new WorkflowEvent.WorkflowFailed(base, f.error(), f.steps());
      case WORKFLOW_PAUSED ->
          new WorkflowEvent.WorkflowPaused(
              base, f.pauseReason(), f.optionalInstant("resumeAt"), f.optionalText("stepName"));
      case WORKFLOW_RESUMED -> new WorkflowEvent.WorkflowResumed(base);
      case WORKFLOW_CANCELLED ->
          new WorkflowEvent.WorkflowCancelled(base, f.optionalText("reason"), f.steps());
      case STEP_STARTED ->
          new WorkflowEvent.StepStarted(base, f.text("stepName"), f.integer("attempt"));
      case STEP_COMPLETED ->
          new WorkflowEvent.StepCompleted(
              base,
              f.text("stepName"),
              f.integer("attempt"),
              f.millis("durationMs"),
              f.bool("cached"));
      case STEP_FAILED ->
          new WorkflowEvent.StepFailed(
              base, f.text("stepName"), f.integer("attempt"), f.error(), f.bool("willRetry"));
      case RETRY_SCHEDULED ->
          new WorkflowEvent.RetryScheduled(
              base,
              f.text("stepName"),
              f.integer("attempt"),
              f.instant("nextAttemptAt"),
              f.millis("delayMs"));
      case RETRY_EXHAUSTED ->
          new WorkflowEvent.RetryExhausted(base, f.text("stepName"), f.integer("attempts"));
      case SLEEP_STARTED ->
          new WorkflowEvent.SleepStarted(base, f.millis("durationMs"), f.instant("resumeAt"));
      case SLEEP_COMPLETED -> new WorkflowEvent.SleepCompleted(base, f.millis("durationMs"));
      case TIMEOUT_SET ->
          new WorkflowEvent.TimeoutSet(
              base, f.text("stepName"), f.instant("deadline"), f.millis("timeoutMs"));
      case TIMEOUT_EXCEEDED ->
          new WorkflowEvent.TimeoutExceeded(base, f.text("stepName"), f.millis("timeoutMs"));
    };
  }

  private static String kind(JsonNode node) {
    return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Typed access to one event object's fields; every error names the path and the field. */
  private static final class Fields {
    private final String path;
    private final JsonNode node;

    Fields(String path, @Nullable JsonNode node) {
      if (node == null || !node.isObject()) {
        throw new EventJsonException(
            path + ": expected an event object but was " + (node == null ? "missing" : kind(node)));
      }
      this.path = path;
      this.node = node;
    }

    EventJsonException error(String field, String problem) {
      return new EventJsonException(path + "." + field + ": " + problem);
    }

    <T> T construct(java.util.function.Supplier<T> constructor) {
      try {
        return constructor.get();
      } catch (EventJsonException e) {
        throw e;
      } catch (IllegalArgumentException e) {
        throw new EventJsonException(path + ": " + e.getMessage(), e);
      }
    }

    private JsonNode required(String field) {
      JsonNode value = node.get(field);
      if (value == null || value.isNull()) {
        throw error(field, "required field is missing");
      }
      return value;
    }

    String text(String field) {
      JsonNode value = required(field);
      if (!value.isTextual()) {
        throw error(field, "expected a string but was " + kind(value));
      }
      return value.textValue();
    }

    @Nullable String optionalText(String field) {
      JsonNode value = node.get(field);
      return value == null || value.isNull() ? null : text(field);
    }

    /**
     * A millisecond count. The reference schemas type these fields as any number, and a producer
     * timing with {@code performance.now()} sends fractions: they are rounded to the nearest whole
     * millisecond (halves up).
     */
    long millis(String field) {
      JsonNode value = required(field);
      if (value.isIntegralNumber() && value.canConvertToLong()) {
        return value.longValue();
      }
      if (value.isFloatingPointNumber()) {
        double millis = value.doubleValue();
        if (Double.isFinite(millis) && Math.abs(millis) < 0x1p62) {
          return Math.round(millis);
        }
      }
      throw error(field, "expected a number of milliseconds but was " + value);
    }

    int integer(String field) {
      JsonNode value = required(field);
      if (!value.isIntegralNumber() || !value.canConvertToInt()) {
        throw error(field, "expected a whole number but was " + value);
      }
      return value.intValue();
    }

    boolean bool(String field) {
      JsonNode value = required(field);
      if (!value.isBoolean()) {
        throw error(field, "expected true or false but was " + value);
      }
      return value.booleanValue();
    }

    Instant instant(String field) {
      String text = text(field);
      try {
        return Instant.parse(text);
      } catch (DateTimeParseException e) {
        throw error(field, "expected an ISO-8601 UTC timestamp but was '" + text + "'");
      }
    }

    @Nullable Instant optionalInstant(String field) {
      JsonNode value = node.get(field);
      return value == null || value.isNull() ? null : instant(field);
    }

    @Nullable JsonNode input() {
      JsonNode value = node.get("input");
      return value == null || value.isNull() ? null : value;
    }

    List<String> steps() {
      JsonNode value = required("completedSteps");
      if (!value.isArray()) {
        throw error("completedSteps", "expected an array of strings but was " + kind(value));
      }
      List<String> steps = new ArrayList<>(value.size());
      for (int i = 0; i < value.size(); i++) {
        JsonNode step = value.get(i);
        if (!step.isTextual()) {
          throw error("completedSteps[" + i + "]", "expected a string but was " + kind(step));
        }
        steps.add(step.textValue());
      }
      return steps;
    }

    PauseReason pauseReason() {
      String text = text("reason");
      return PauseReason.fromWireName(text)
          .orElseThrow(
              () -> error("reason", "expected \"sleep\" or \"retry\" but was '" + text + "'"));
    }

    ErrorDetails error() {
      JsonNode value = required("error");
      if (!value.isObject()) {
        throw error("error", "expected an object but was " + kind(value));
      }
      Fields e = new Fields(path + ".error", value);
      JsonNode attempt = value.get("attempt");
      return construct(
          () ->
              new ErrorDetails(
                  e.text("message"),
                  e.optionalText("stack"),
                  e.optionalText("stepName"),
                  attempt == null || attempt.isNull() ? null : e.integer("attempt")));
    }
  }
}
