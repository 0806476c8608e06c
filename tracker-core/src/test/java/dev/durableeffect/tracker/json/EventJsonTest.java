package dev.durableeffect.tracker.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.durableeffect.tracker.event.BaseEvent;
import dev.durableeffect.tracker.event.PauseReason;
import dev.durableeffect.tracker.event.WireEvent;
import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.event.WorkflowEventType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class EventJsonTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  @ParameterizedTest
  @EnumSource(WorkflowEventType.class)
  void writesExactlyTheGoldenFixture(WorkflowEventType type) {
    WireEvent event = Fixtures.all().get(type);

    assertThat(EventJson.toJson(event)).isEqualTo(Fixtures.golden(type));
    assertThat(new String(EventJson.toJsonBytes(event), java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo(Fixtures.golden(type));
  }

  @ParameterizedTest
  @EnumSource(WorkflowEventType.class)
  void readsTheGoldenFixtureBackIntoTheRecord(WorkflowEventType type) {
    String batch = "{\"events\":[" + Fixtures.golden(type) + "]}";

    assertThat(EventJson.fromBatchJson(batch)).containsExactly(Fixtures.all().get(type));
  }

  @Test
  void batchOfAllSixteenTypesRoundTrips() {
    List<WireEvent> events = new ArrayList<>(Fixtures.all().values());

    String json = EventJson.toBatchJson(events);

    assertThat(json).startsWith("{\"events\":[{").endsWith("}]}");
    assertThat(EventJson.fromBatchJson(json)).isEqualTo(events);
    assertThat(EventJson.fromBatchJson(json.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .isEqualTo(events);
    assertThat(EventJson.fromBatchJson(new java.io.ByteArrayInputStream(json.getBytes(java.nio.charset.StandardCharsets.UTF_8))))
        .isEqualTo(events);
  }

  @Test
  void internalFormHasNoEnvOrServiceKey() throws Exception {
    JsonNode json = MAPPER.readTree(EventJson.toJson(Fixtures.all().get(WorkflowEventType.STEP_STARTED).event()));

    assertThat(json.has("env")).isFalse();
    assertThat(json.has("serviceKey")).isFalse();
    assertThat(json.get("source").asText()).isEqualTo("workflow");
  }

  @Test
  void absentOptionalFieldsAreLeftOutNeverNull() throws Exception {
    BaseEvent base = new BaseEvent(Fixtures.ID, Fixtures.AT, "wf", "name", "");
    List<WorkflowEvent> events =
        List.of(
            new WorkflowEvent.WorkflowPaused(base, PauseReason.SLEEP, null, null),
            new WorkflowEvent.WorkflowCancelled(base, null, List.of()),
            new WorkflowEvent.WorkflowFailed(
                base, dev.durableeffect.tracker.event.ErrorDetails.of("x"), List.of()));

    for (WorkflowEvent event : events) {
      String text = EventJson.toJson(new WireEvent(event, "e", "s"));
      assertThat(text).doesNotContain("null").doesNotContain("executionId");
      JsonNode json = MAPPER.readTree(text);
      if (event instanceof WorkflowEvent.WorkflowPaused) {
        assertThat(fieldNames(json)).doesNotContain("resumeAt", "stepName");
      }
      if (event instanceof WorkflowEvent.WorkflowCancelled) {
        assertThat(fieldNames(json)).doesNotContain("reason");
      }
      if (event instanceof WorkflowEvent.WorkflowFailed) {
        assertThat(fieldNames(json.get("error"))).containsExactly("message");
      }
    }
  }

  @Test
  void timestampsHaveExactlyThreeFractionDigitsAndZ() throws Exception {
    for (String instant :
        List.of("2025-12-05T03:20:12Z", "2025-12-05T03:20:12.4Z", "2025-12-05T03:20:12.456789Z")) {
      BaseEvent base = new BaseEvent(Fixtures.ID, Instant.parse(instant), "wf", "name", null);
      JsonNode json =
          MAPPER.readTree(
              EventJson.toJson(
                  new WorkflowEvent.SleepStarted(base, 5, Instant.parse(instant))));
      assertThat(json.get("timestamp").asText()).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
      assertThat(json.get("resumeAt").asText()).isEqualTo(json.get("timestamp").asText());
    }
  }

  @Test
  void inputIsWrittenAsTheJsonValueItIs() throws Exception {
    Map<String, Object> input = new LinkedHashMap<>();
    input.put("orderId", "o-1");
    input.put("when", Instant.parse("2025-01-01T00:00:00Z"));
    input.put("tags", List.of("a", "b"));
    record Customer(String name, int tier) {}
    input.put("customer", new Customer("Ada", 2));
    BaseEvent base = new BaseEvent(Fixtures.ID, Fixtures.AT, "wf", "name", null);

    List<Object> inputs = List.of(input, "text", 7, true, List.of(1, 2));
    List<String> expected =
        List.of(
            "{\"orderId\":\"o-1\",\"when\":\"2025-01-01T00:00:00Z\",\"tags\":[\"a\",\"b\"],\"customer\":{\"name\":\"Ada\",\"tier\":2}}",
            "\"text\"",
            "7",
            "true",
            "[1,2]");
    for (int i = 0; i < inputs.size(); i++) {
      JsonNode json = MAPPER.readTree(EventJson.toJson(new WorkflowEvent.WorkflowStarted(base, inputs.get(i))));
      assertThat(json.get("input").toString()).isEqualTo(expected.get(i));
    }
    JsonNode nullInput = MAPPER.readTree(EventJson.toJson(new WorkflowEvent.WorkflowStarted(base, null)));
    assertThat(nullInput.get("input").isNull()).isTrue();
  }

  @Test
  void readingToleratesUnknownFields() {
    String event =
        Fixtures.golden(WorkflowEventType.STEP_STARTED)
            .replace("\"attempt\":1", "\"attempt\":1,\"futureField\":{\"x\":1}");

    List<WireEvent> events = EventJson.fromBatchJson("{\"events\":[" + event + "],\"meta\":1}");

    assertThat(events).containsExactly(Fixtures.all().get(WorkflowEventType.STEP_STARTED));
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource({
    "step.completed, durationMs, 42, 41.5",
    "step.completed, durationMs, 42, 42.4999",
    "workflow.completed, durationMs, 1234, 1233.6",
    "retry.scheduled, delayMs, 1544, 1543.5",
    "sleep.started, durationMs, 60000, 60000.0",
    "sleep.completed, durationMs, 60000, 59999.75",
    "timeout.set, timeoutMs, 30000, 30000.2",
    "timeout.exceeded, timeoutMs, 30000, 29999.9"
  })
  void fractionalMillisecondsFromATypeScriptProducerAreRoundedToTheNearestMillisecond(
      String type, String field, long whole, String fraction) {
    WorkflowEventType eventType = WorkflowEventType.fromWireName(type).orElseThrow();
    String golden = Fixtures.golden(eventType);
    String fractional = golden.replace("\"" + field + "\":" + whole, "\"" + field + "\":" + fraction);
    assertThat(fractional).isNotEqualTo(golden);

    assertThat(EventJson.fromBatchJson(batch(fractional, golden)))
        .containsExactly(Fixtures.all().get(eventType), Fixtures.all().get(eventType));
  }

  @Test
  void millisecondsThatAreNotFiniteNumbersAreRejectedNamingTheField() {
    String good = Fixtures.golden(WorkflowEventType.STEP_COMPLETED);

    assertThatThrownBy(() -> EventJson.fromBatchJson(batch(good.replace("\"durationMs\":42", "\"durationMs\":\"42\""))))
        .hasMessage("events[0].durationMs: expected a number of milliseconds but was \"42\"");
    assertThatThrownBy(() -> EventJson.fromBatchJson(batch(good.replace("\"durationMs\":42", "\"durationMs\":1e300"))))
        .hasMessage("events[0].durationMs: expected a number of milliseconds but was 1.0E300");
  }

  @Test
  void malformedEventsAreRejectedNamingIndexFieldAndProblem() {
    String good = Fixtures.golden(WorkflowEventType.STEP_STARTED);
    String missingStep = good.replace("\"stepName\":\"fetch\",", "");
    String wrongType = good.replace("\"attempt\":1", "\"attempt\":\"one\"");
    String zeroAttempt = good.replace("\"attempt\":1", "\"attempt\":0");
    String badTime = good.replace("2025-12-05T03:20:12.456Z", "yesterday");
    String unknownType = good.replace("step.started", "step.teleported");
    String noEnv = good.replace(",\"env\":\"production\"", "");

    assertThatThrownBy(() -> EventJson.fromBatchJson(batch(good, missingStep)))
        .isInstanceOf(EventJsonException.class)
        .hasMessage("events[1].stepName: required field is missing");
    assertThatThrownBy(() -> EventJson.fromBatchJson(batch(wrongType)))
        .hasMessage("events[0].attempt: expected a whole number but was \"one\"");
    assertThatThrownBy(() -> EventJson.fromBatchJson(batch(good, good, zeroAttempt)))
        .hasMessage("events[2]: attempt must be >= 1 but was 0");
    assertThatThrownBy(() -> EventJson.fromBatchJson(batch(badTime)))
        .hasMessage("events[0].timestamp: expected an ISO-8601 UTC timestamp but was 'yesterday'");
    assertThatThrownBy(() -> EventJson.fromBatchJson(batch(unknownType)))
        .hasMessage("events[0].type: unknown event type 'step.teleported'");
    assertThatThrownBy(() -> EventJson.fromBatchJson(batch(noEnv)))
        .hasMessage("events[0].env: required field is missing");
    assertThatThrownBy(() -> EventJson.fromBatchJson("{\"events\":[42]}"))
        .hasMessage("events[0]: expected an event object but was number");
    assertThatThrownBy(() -> EventJson.fromBatchJson("{\"items\":[]}"))
        .hasMessage("events: required field is missing");
    assertThatThrownBy(() -> EventJson.fromBatchJson("[1]"))
        .hasMessage("body: expected a JSON object with an \"events\" array but was array");
    assertThatThrownBy(() -> EventJson.fromBatchJson(""))
        .hasMessage("body: expected a JSON object with an \"events\" array but was empty");
    assertThatThrownBy(() -> EventJson.fromBatchJson("{\"events\":[{"))
        .hasMessageStartingWith("body: not valid JSON");
  }

  private static String batch(String... events) {
    return "{\"events\":[" + String.join(",", events) + "]}";
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    return names;
  }
}
