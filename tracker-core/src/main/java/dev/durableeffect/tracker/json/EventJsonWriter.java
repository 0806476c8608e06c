package dev.durableeffect.tracker.json;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.durableeffect.tracker.event.BaseEvent;
import dev.durableeffect.tracker.event.ErrorDetails;
import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.event.WorkflowEvent.RetryExhausted;
import dev.durableeffect.tracker.event.WorkflowEvent.RetryScheduled;
import dev.durableeffect.tracker.event.WorkflowEvent.SleepCompleted;
import dev.durableeffect.tracker.event.WorkflowEvent.SleepStarted;
import dev.durableeffect.tracker.event.WorkflowEvent.StepCompleted;
import dev.durableeffect.tracker.event.WorkflowEvent.StepFailed;
import dev.durableeffect.tracker.event.WorkflowEvent.StepStarted;
import dev.durableeffect.tracker.event.WorkflowEvent.TimeoutExceeded;
import dev.durableeffect.tracker.event.WorkflowEvent.TimeoutSet;
import dev.durableeffect.tracker.event.WorkflowEvent.WorkflowCancelled;
import dev.durableeffect.tracker.event.WorkflowEvent.WorkflowCompleted;
import dev.durableeffect.tracker.event.WorkflowEvent.WorkflowFailed;
import dev.durableeffect.tracker.event.WorkflowEvent.WorkflowPaused;
import dev.durableeffect.tracker.event.WorkflowEvent.WorkflowQueued;
import dev.durableeffect.tracker.event.WorkflowEvent.WorkflowStarted;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Streams one event in wire field order. */
final class EventJsonWriter {

  /** JavaScript's {@code toISOString()}: UTC, exactly three fraction digits, {@code Z}. */
  static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private EventJsonWriter() {}

  static void write(
      JsonGenerator g, WorkflowEvent event, @Nullable String env, @Nullable String serviceKey)
      throws IOException {
    BaseEvent base = event.base();
    g.writeStartObject();
    g.writeStringField("eventId", base.eventId());
    writeInstant(g, "timestamp", base.timestamp());
    g.writeStringField("source", "workflow");
    g.writeStringField("workflowId", base.workflowId());
    g.writeStringField("workflowName", base.workflowName());
    writeOptional(g, "executionId", base.executionId());
    g.writeStringField("type", event.type().wireName());
    writeFields(g, event);
    if (env != null) {
      g.writeStringField("env", env);
    }
    if (serviceKey != null) {
      g.writeStringField("serviceKey", serviceKey);
    }
    g.writeEndObject();
  }

  private static void writeFields(JsonGenerator g, WorkflowEvent event) throws IOException {
    if (event instanceof WorkflowStarted e) {
      writeInput(g, e.input());
    } else if (event instanceof WorkflowQueued e) {
      writeInput(g, e.input());
    } else if (event instanceof WorkflowCompleted e) {
      writeSteps(g, e.completedSteps());
      g.writeNumberField("durationMs", e.durationMs());
    } else if (event instanceof WorkflowFailed e) {
      writeError(g, e.error());
      writeSteps(g, e.completedSteps());
    } else if (event instanceof WorkflowPaused e) {
      g.writeStringField("reason", e.reason().wireName());
      if (e.resumeAt() != null) {
        writeInstant(g, "resumeAt", e.resumeAt());
      }
      writeOptional(g, "stepName", e.stepName());
    } else if (event instanceof WorkflowCancelled e) {
      writeOptional(g, "reason", e.reason());
      writeSteps(g, e.completedSteps());
    } else if (event instanceof StepStarted e) {
      g.writeStringField("stepName", e.stepName());
      g.writeNumberField("attempt", e.attempt());
    } else if (event instanceof StepCompleted e) {
      g.writeStringField("stepName", e.stepName());
      g.writeNumberField("attempt", e.attempt());
      g.writeNumberField("durationMs", e.durationMs());
      g.writeBooleanField("cached", e.cached());
    } else if (event instanceof StepFailed e) {
      g.writeStringField("stepName", e.stepName());
      g.writeNumberField("attempt", e.attempt());
      writeError(g, e.error());
      g.writeBooleanField("willRetry", e.willRetry());
    } else if (event instanceof RetryScheduled e) {
      g.writeStringField("stepName", e.stepName());
      g.writeNumberField("attempt", e.attempt());
      writeInstant(g, "nextAttemptAt", e.nextAttemptAt());
      g.writeNumberField("delayMs", e.delayMs());
    } else if (event instanceof RetryExhausted e) {
      g.writeStringField("stepName", e.stepName());
      g.writeNumberField("attempts", e.attempts());
    } else if (event instanceof SleepStarted e) {
      g.writeNumberField("durationMs", e.durationMs());
      writeInstant(g, "resumeAt", e.resumeAt());
    } else if (event instanceof SleepCompleted e) {
      g.writeNumberField("durationMs", e.durationMs());
    } else if (event instanceof TimeoutSet e) {
      g.writeStringField("stepName", e.stepName());
      writeInstant(g, "deadline", e.deadline());
      g.writeNumberField("timeoutMs", e.timeoutMs());
    } else if (event instanceof TimeoutExceeded e) {
      g.writeStringField("stepName", e.stepName());
      g.writeNumberField("timeoutMs", e.timeoutMs());
    }
  }

  private static void writeInput(JsonGenerator g, @Nullable Object input) throws IOException {
    g.writeFieldName("input");
    if (input == null) {
      g.writeNull();
    } else {
      EventJson.MAPPER.writeValue(g, input);
    }
  }

  private static void writeError(JsonGenerator g, ErrorDetails error) throws IOException {
    g.writeObjectFieldStart("error");
    g.writeStringField("message", error.message());
    writeOptional(g, "stack", error.stack());
    writeOptional(g, "stepName", error.stepName());
    if (error.attempt() != null) {
      g.writeNumberField("attempt", error.attempt());
    }
    g.writeEndObject();
  }

  private static void writeSteps(JsonGenerator g, List<String> steps) throws IOException {
    g.writeArrayFieldStart("completedSteps");
    for (String step : steps) {
      g.writeString(step);
    }
    g.writeEndArray();
  }

  private static void writeInstant(JsonGenerator g, String field, Instant instant)
      throws IOException {
    g.writeStringField(field, TIMESTAMP.format(instant));
  }

  private static void writeOptional(JsonGenerator g, String field, @Nullable String value)
      throws IOException {
    if (value != null) {
      g.writeStringField(field, value);
    }
  }
}
