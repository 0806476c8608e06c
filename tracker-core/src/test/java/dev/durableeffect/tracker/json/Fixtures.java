package dev.durableeffect.tracker.json;

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
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** The records behind the golden files in src/test/resources/fixtures, one per event type. */
final class Fixtures {

  static final String ID = "0193a1e2-7c4f-7a51-9d2e-5b8f3c1a2d4e";
  static final Instant AT = Instant.parse("2025-12-05T03:20:12.456Z");
  static final BaseEvent BASE = new BaseEvent(ID, AT, "wf-123", "processOrder", "exec-456");
  static final BaseEvent BASE_NO_EXECUTION = new BaseEvent(ID, AT, "wf-123", "processOrder", null);

  private Fixtures() {}

  static Map<WorkflowEventType, WireEvent> all() {
    Map<WorkflowEventType, WireEvent> all = new EnumMap<>(WorkflowEventType.class);
    for (WorkflowEvent event : events()) {
      all.put(event.type(), new WireEvent(event, "production", "orders"));
    }
    return all;
  }

  static String golden(WorkflowEventType type) {
    try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + type.wireName() + ".json")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode json(String text) {
    try {
      return new ObjectMapper().readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<WorkflowEvent> events() {
    return List.of(
        new WorkflowEvent.WorkflowStarted(
            BASE,
            json("{\"orderId\":\"o-1\",\"amount\":42.5,\"items\":[\"a\",\"b\"],\"gift\":false,\"note\":null}")),
        new WorkflowEvent.WorkflowQueued(BASE, json("[1,2,3]")),
        new WorkflowEvent.WorkflowCompleted(BASE, List.of("fetch", "charge"), 1234),
        new WorkflowEvent.WorkflowFailed(
            BASE,
            new ErrorDetails("card declined", "Error: card declined\n    at charge", "charge", 3),
            List.of("fetch")),
        new WorkflowEvent.WorkflowPaused(
            BASE, PauseReason.RETRY, Instant.parse("2025-12-05T03:20:13.456Z"), "charge"),
        new WorkflowEvent.WorkflowResumed(BASE_NO_EXECUTION),
        new WorkflowEvent.WorkflowCancelled(BASE, "user request", List.of()),
        new WorkflowEvent.StepStarted(BASE, "fetch", 1),
        new WorkflowEvent.StepCompleted(BASE, "fetchData", 1, 42, false),
        new WorkflowEvent.StepFailed(BASE, "charge", 2, ErrorDetails.of("timeout"), true),
        new WorkflowEvent.RetryScheduled(
            BASE, "charge", 3, Instant.parse("2025-12-05T03:20:14Z"), 1544),
        new WorkflowEvent.RetryExhausted(BASE, "charge", 4),
        new WorkflowEvent.SleepStarted(BASE, 60000, Instant.parse("2025-12-05T03:21:12.456Z")),
        new WorkflowEvent.SleepCompleted(BASE, 60000),
        new WorkflowEvent.TimeoutSet(
            BASE, "report", Instant.parse("2025-12-05T03:20:42.456Z"), 30000),
        new WorkflowEvent.TimeoutExceeded(BASE, "report", 30000));
  }
}
