package dev.durableeffect.tracker.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.durableeffect.tracker.event.BaseEvent;
import dev.durableeffect.tracker.event.ErrorDetails;
import dev.durableeffect.tracker.event.PauseReason;
import dev.durableeffect.tracker.event.WireEvent;
import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.event.WorkflowEventType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The wire format as {@code shared/WIRE-FORMAT.md} states it, typed in by hand as a table of field
 * names, JSON types and optionality per event type, and checked against the golden fixtures and
 * against what the writer produces with every optional field present and with every one absent.
 * Unlike the golden-file comparison, nothing here comes from the writer, so a writer bug copied into
 * a regenerated fixture still fails.
 */
class WireFormatTableTest {

  /** A field's JSON type, as the document names it. */
  enum Kind {
    STRING,
    NUMBER,
    BOOLEAN,
    STRING_ARRAY,
    ANY,
    /** UUID version 7, lower-case canonical text. */
    UUID_V7,
    /** ISO-8601 UTC with exactly three fraction digits and Z. */
    TIMESTAMP,
    /** The literal {@code "workflow"}. */
    WORKFLOW_SOURCE,
    /** {@code "sleep"} or {@code "retry"}. */
    PAUSE_REASON,
    /** {message, stack?, stepName?, attempt?}. */
    WORKFLOW_ERROR,
    /** {message, stack?}. */
    STEP_ERROR
  }

  record Field(String name, Kind kind, boolean optional) {}

  private static Field required(String name, Kind kind) {
    return new Field(name, kind, false);
  }

  private static Field optional(String name, Kind kind) {
    return new Field(name, kind, true);
  }

  /** Base fields of every internal event; the wire form adds env and serviceKey. */
  private static final List<Field> BASE =
      List.of(
          required("eventId", Kind.UUID_V7),
          required("timestamp", Kind.TIMESTAMP),
          required("source", Kind.WORKFLOW_SOURCE),
          required("workflowId", Kind.STRING),
          required("workflowName", Kind.STRING),
          optional("executionId", Kind.STRING),
          required("type", Kind.STRING),
          required("env", Kind.STRING),
          required("serviceKey", Kind.STRING));

  /** "The 16 event types" table, field by field. */
  private static final Map<String, List<Field>> TYPES = new LinkedHashMap<>();

  static {
    TYPES.put("workflow.started", List.of(required("input", Kind.ANY)));
    TYPES.put("workflow.queued", List.of(required("input", Kind.ANY)));
    TYPES.put(
        "workflow.completed",
        List.of(required("completedSteps", Kind.STRING_ARRAY), required("durationMs", Kind.NUMBER)));
    TYPES.put(
        "workflow.failed",
        List.of(required("error", Kind.WORKFLOW_ERROR), required("completedSteps", Kind.STRING_ARRAY)));
    TYPES.put(
        "workflow.paused",
        List.of(
            required("reason", Kind.PAUSE_REASON),
            optional("resumeAt", Kind.TIMESTAMP),
            optional("stepName", Kind.STRING)));
    TYPES.put("workflow.resumed", List.of());
    TYPES.put(
        "workflow.cancelled",
        List.of(optional("reason", Kind.STRING), required("completedSteps", Kind.STRING_ARRAY)));
    TYPES.put("step.started", List.of(required("stepName", Kind.STRING), required("attempt", Kind.NUMBER)));
    TYPES.put(
        "step.completed",
        List.of(
            required("stepName", Kind.STRING),
            required("attempt", Kind.NUMBER),
            required("durationMs", Kind.NUMBER),
            required("cached", Kind.BOOLEAN)));
    TYPES.put(
        "step.failed",
        List.of(
            required("stepName", Kind.STRING),
            required("attempt", Kind.NUMBER),
            required("error", Kind.STEP_ERROR),
            required("willRetry", Kind.BOOLEAN)));
    TYPES.put(
        "retry.scheduled",
        List.of(
            required("stepName", Kind.STRING),
            required("attempt", Kind.NUMBER),
            required("nextAttemptAt", Kind.TIMESTAMP),
            required("delayMs", Kind.NUMBER)));
    TYPES.put("retry.exhausted", List.of(required("stepName", Kind.STRING), required("attempts", Kind.NUMBER)));
    TYPES.put("sleep.started", List.of(required("durationMs", Kind.NUMBER), required("resumeAt", Kind.TIMESTAMP)));
    TYPES.put("sleep.completed", List.of(required("durationMs", Kind.NUMBER)));
    TYPES.put(
        "timeout.set",
        List.of(
            required("stepName", Kind.STRING),
            required("deadline", Kind.TIMESTAMP),
            required("timeoutMs", Kind.NUMBER)));
    TYPES.put("timeout.exceeded", List.of(required("stepName", Kind.STRING), required("timeoutMs", Kind.NUMBER)));
  }

  private static final List<Field> WORKFLOW_ERROR =
      List.of(
          required("message", Kind.STRING),
          optional("stack", Kind.STRING),
          optional("stepName", Kind.STRING),
          optional("attempt", Kind.NUMBER));
  private static final List<Field> STEP_ERROR =
      List.of(required("message", Kind.STRING), optional("stack", Kind.STRING));

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Instant AT = Instant.parse("2025-12-05T03:20:12Z");
  private static final Instant LATER = Instant.parse("2025-12-05T03:21:00.5Z");

  @ParameterizedTest
  @EnumSource(WorkflowEventType.class)
  void theTableNamesEveryType(WorkflowEventType type) {
    assertThat(TYPES).containsKey(type.wireName());
    assertThat(TYPES).hasSize(WorkflowEventType.values().length);
  }

  @ParameterizedTest
  @EnumSource(WorkflowEventType.class)
  void theGoldenFixtureHasTheDocumentedFieldsAndTypes(WorkflowEventType type) {
    JsonNode json = read(fixture(type));

    assertConforms(type.wireName(), json, false);
  }

  @ParameterizedTest
  @EnumSource(WorkflowEventType.class)
  void withEveryOptionalFieldTheWriterSendsExactlyTheDocumentedFields(WorkflowEventType type) {
    JsonNode json = read(EventJson.toJson(new WireEvent(full(type), "production", "orders")));

    assertConforms(type.wireName(), json, true);
  }

  @ParameterizedTest
  @EnumSource(WorkflowEventType.class)
  void withoutOptionalFieldsTheWriterLeavesThemOut(WorkflowEventType type) {
    JsonNode json = read(EventJson.toJson(new WireEvent(minimal(type), "production", "orders")));

    assertConforms(type.wireName(), json, false);
    assertThat(names(json)).as("only required fields").isEqualTo(names(required(fields(type.wireName()))));
  }

  private static void assertConforms(String type, JsonNode json, boolean everyOptional) {
    assertThat(json.get("type").asText()).isEqualTo(type);
    assertObject(type, json, fields(type), everyOptional);
  }

  private static void assertObject(String where, JsonNode json, List<Field> spec, boolean everyOptional) {
    assertThat(json.isObject()).as(where + " is an object").isTrue();
    Set<String> allowed = names(spec);
    assertThat(names(json)).as(where + ": no field beyond the documented ones").isSubsetOf(allowed);
    assertThat(names(json)).as(where + ": every required field").containsAll(names(required(spec)));
    if (everyOptional) {
      assertThat(names(json)).as(where + ": every optional field when set").isEqualTo(allowed);
    }
    for (Field field : spec) {
      JsonNode value = json.get(field.name());
      if (value != null) {
        assertKind(where + "." + field.name(), value, field.kind());
      }
    }
  }

  private static void assertKind(String where, JsonNode value, Kind kind) {
    switch (kind) {
      case STRING -> assertThat(value.isTextual()).as(where + " is a string: " + value).isTrue();
      case NUMBER -> assertThat(value.isNumber()).as(where + " is a number: " + value).isTrue();
      case BOOLEAN -> assertThat(value.isBoolean()).as(where + " is a boolean: " + value).isTrue();
      case STRING_ARRAY -> {
        assertThat(value.isArray()).as(where + " is an array: " + value).isTrue();
        value.forEach(item -> assertThat(item.isTextual()).as(where + " holds strings: " + value).isTrue());
      }
      case ANY -> assertThat(value.isMissingNode()).as(where).isFalse();
      case UUID_V7 -> {
        assertThat(value.isTextual()).as(where + " is a string").isTrue();
        assertThat(value.asText()).as(where).matches("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
        assertThat(UUID.fromString(value.asText()).version()).as(where).isEqualTo(7);
      }
      case TIMESTAMP -> {
        assertThat(value.isTextual()).as(where + " is a string").isTrue();
        assertThat(value.asText()).as(where).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
      }
      case WORKFLOW_SOURCE -> assertThat(value.asText()).as(where).isEqualTo("workflow");
      case PAUSE_REASON -> assertThat(value.asText()).as(where).isIn("sleep", "retry");
      case WORKFLOW_ERROR -> assertObject(where, value, WORKFLOW_ERROR, false);
      case STEP_ERROR -> assertObject(where, value, STEP_ERROR, false);
      default -> throw new IllegalStateException(kind.toString());
    }
    if (value.isNull()) {
      assertThat(kind).as(where + " is null, which only input may be").isEqualTo(Kind.ANY);
    }
  }

  private static List<Field> fields(String type) {
    List<Field> all = new ArrayList<>(BASE);
    all.addAll(TYPES.get(type));
    return all;
  }

  private static List<Field> required(List<Field> fields) {
    return fields.stream().filter(f -> !f.optional()).toList();
  }

  private static Set<String> names(List<Field> fields) {
    Set<String> names = new TreeSet<>();
    fields.forEach(f -> names.add(f.name()));
    return names;
  }

  private static Set<String> names(JsonNode json) {
    Set<String> names = new TreeSet<>();
    Iterator<String> it = json.fieldNames();
    it.forEachRemaining(names::add);
    return names;
  }

  private static JsonNode read(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String fixture(WorkflowEventType type) {
    try (InputStream in = WireFormatTableTest.class.getResourceAsStream("/fixtures/" + type.wireName() + ".json")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static BaseEvent base(boolean withExecution) {
    return new BaseEvent(
        "0193a1e2-7c4f-7a51-9d2e-5b8f3c1a2d4e", AT, "wf-1", "processOrder", withExecution ? "exec-1" : null);
  }

  /** An event of {@code type} with every optional field set. */
  private static WorkflowEvent full(WorkflowEventType type) {
    BaseEvent base = base(true);
    ErrorDetails error = new ErrorDetails("declined", "Error: declined\n  at charge", "charge", 2);
    return switch (type) {
      case WORKFLOW_STARTED -> new WorkflowEvent.WorkflowStarted(base, Map.of("orderId", "o-1"));
      case WORKFLOW_QUEUED -> new WorkflowEvent.WorkflowQueued(base, List.of(1, 2));
      case WORKFLOW_COMPLETED -> new WorkflowEvent.WorkflowCompleted(base, List.of("a", "b"), 12);
      case WORKFLOW_FAILED -> new WorkflowEvent.WorkflowFailed(base, error, List.of("a"));
      case WORKFLOW_PAUSED -> new WorkflowEvent.WorkflowPaused(base, PauseReason.RETRY, LATER, "charge");
      case WORKFLOW_RESUMED -> new WorkflowEvent.WorkflowResumed(base);
      case WORKFLOW_CANCELLED -> new WorkflowEvent.WorkflowCancelled(base, "user request", List.of("a"));
      case STEP_STARTED -> new WorkflowEvent.StepStarted(base, "charge", 1);
      case STEP_COMPLETED -> new WorkflowEvent.StepCompleted(base, "charge", 1, 40, true);
      // The step's own error never carries a location, even when given one.
      case STEP_FAILED -> new WorkflowEvent.StepFailed(base, "charge", 2, error, true);
      case RETRY_SCHEDULED -> new WorkflowEvent.RetryScheduled(base, "charge", 3, LATER, 1500);
      case RETRY_EXHAUSTED -> new WorkflowEvent.RetryExhausted(base, "charge", 4);
      case SLEEP_STARTED -> new WorkflowEvent.SleepStarted(base, 60_000, LATER);
      case SLEEP_COMPLETED -> new WorkflowEvent.SleepCompleted(base, 60_000);
      case TIMEOUT_SET -> new WorkflowEvent.TimeoutSet(base, "report", LATER, 30_000);
      case TIMEOUT_EXCEEDED -> new WorkflowEvent.TimeoutExceeded(base, "report", 30_000);
    };
  }

  /** An event of {@code type} with every optional field left unset. */
  private static WorkflowEvent minimal(WorkflowEventType type) {
    BaseEvent base = base(false);
    return switch (type) {
      case WORKFLOW_STARTED -> new WorkflowEvent.WorkflowStarted(base, null);
      case WORKFLOW_QUEUED -> new WorkflowEvent.WorkflowQueued(base, "plain text");
      case WORKFLOW_COMPLETED -> new WorkflowEvent.WorkflowCompleted(base, List.of(), 0);
      case WORKFLOW_FAILED -> new WorkflowEvent.WorkflowFailed(base, ErrorDetails.of("boom"), List.of());
      case WORKFLOW_PAUSED -> new WorkflowEvent.WorkflowPaused(base, PauseReason.SLEEP, null, null);
      case WORKFLOW_RESUMED -> new WorkflowEvent.WorkflowResumed(base);
      case WORKFLOW_CANCELLED -> new WorkflowEvent.WorkflowCancelled(base, null, List.of());
      case STEP_STARTED -> new WorkflowEvent.StepStarted(base, "charge", 1);
      case STEP_COMPLETED -> new WorkflowEvent.StepCompleted(base, "charge", 1, 0, false);
      case STEP_FAILED -> new WorkflowEvent.StepFailed(base, "charge", 1, ErrorDetails.of("boom"), false);
      case RETRY_SCHEDULED -> new WorkflowEvent.RetryScheduled(base, "charge", 2, AT, 0);
      case RETRY_EXHAUSTED -> new WorkflowEvent.RetryExhausted(base, "charge", 1);
      case SLEEP_STARTED -> new WorkflowEvent.SleepStarted(base, 0, AT);
      case SLEEP_COMPLETED -> new WorkflowEvent.SleepCompleted(base, 0);
      case TIMEOUT_SET -> new WorkflowEvent.TimeoutSet(base, "report", AT, 1);
      case TIMEOUT_EXCEEDED -> new WorkflowEvent.TimeoutExceeded(base, "report", 1);
    };
  }
}
