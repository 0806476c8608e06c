package dev.durableeffect.tracker.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.event.WorkflowEventType;
import dev.durableeffect.tracker.event.WorkflowEvents;
import dev.durableeffect.tracker.http.HttpBatchTracker;
import dev.durableeffect.tracker.http.HttpBatchTrackerConfig;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.client.WebClient;

/** The demo end to end: workflows, the tracker, the collector, over real HTTP. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SampleAppTest {

  static final CollectorRelay RELAY = CollectorRelay.start();
  static final ObjectMapper MAPPER = new ObjectMapper();

  @TestConfiguration(proxyBeanMethods = false)
  static class RelayToThisApp {
    @Bean
    ApplicationListener<WebServerInitializedEvent> relayTarget() {
      return RELAY.target();
    }
  }

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("durable.tracker.endpoint", RELAY::endpoint);
    registry.add("demo.autorun", () -> "false");
    registry.add("demo.pace", () -> "0.05");
    registry.add("durable.tracker.flush-interval", () -> "100ms");
  }

  @Autowired HttpBatchTracker tracker;
  @Autowired EventStore store;
  @LocalServerPort int port;

  private WebClient client;

  @BeforeEach
  void client() {
    client = WebClient.create("http://localhost:" + port);
  }

  private JsonNode post(String path) throws Exception {
    return MAPPER.readTree(client.post().uri(path).retrieve().bodyToMono(String.class).block(Duration.ofSeconds(30)));
  }

  private List<JsonNode> events(String workflowId) throws Exception {
    String body = client.get().uri(b -> b.path("/api/events").queryParam("workflowId", workflowId).build())
        .retrieve().bodyToMono(String.class).block(Duration.ofSeconds(30));
    List<JsonNode> events = new ArrayList<>();
    MAPPER.readTree(body).forEach(events::add);
    return events;
  }

  private static List<String> types(List<JsonNode> events) {
    return events.stream().map(e -> e.get("type").asText()).toList();
  }

  private List<JsonNode> runToEnd(String workflow, String lastType) throws Exception {
    JsonNode launch = post("/api/workflows/" + workflow);
    assertThat(launch.get("workflow").asText()).isEqualTo(workflow);
    String workflowId = launch.get("workflowId").asText();
    assertThat(launch.get("executionId").asText()).startsWith("exec-");
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      List<String> types = types(events(workflowId));
      return !types.isEmpty() && types.get(types.size() - 1).equals(lastType);
    });
    List<JsonNode> events = events(workflowId);
    for (JsonNode event : events) {
      assertThat(event.get("env").asText()).isEqualTo("demo");
      assertThat(event.get("serviceKey").asText()).isEqualTo("tracker-sample-app");
      assertThat(event.get("source").asText()).isEqualTo("workflow");
      assertThat(event.get("executionId").asText()).isEqualTo(launch.get("executionId").asText());
    }
    return events;
  }

  @Test
  void eachDemoWorkflowsEventsArriveInOrderAndTogetherCoverAllSixteenTypes() throws Exception {
    Set<WorkflowEventType> seen = EnumSet.noneOf(WorkflowEventType.class);

    List<String> order = types(runToEnd("order-fulfillment", "workflow.completed"));
    assertThat(order).containsExactly(
        "workflow.started",
        "step.completed",
        "step.started", "step.completed",
        "step.started", "step.completed",
        "step.started", "step.failed", "retry.scheduled", "workflow.paused", "workflow.resumed",
        "step.started", "step.completed",
        "sleep.started", "workflow.paused", "workflow.resumed", "sleep.completed",
        "step.started", "step.completed",
        "workflow.completed");
    List<String> payment = types(runToEnd("payment-failure", "workflow.failed"));
    assertThat(payment).endsWith("step.failed", "retry.exhausted", "workflow.failed");
    List<String> report = types(runToEnd("report-timeout", "workflow.failed"));
    assertThat(report).containsSubsequence("timeout.set", "step.started", "timeout.exceeded", "step.failed", "workflow.failed");
    List<String> imports = types(runToEnd("queued-import", "workflow.completed"));
    assertThat(imports).startsWith("workflow.queued", "workflow.started");
    List<String> cancelled = types(runToEnd("cancelled-shipment", "workflow.cancelled"));
    assertThat(cancelled).contains("sleep.completed");

    for (List<String> types : List.of(order, payment, report, imports, cancelled)) {
      types.forEach(t -> seen.add(WorkflowEventType.fromWireName(t).orElseThrow()));
    }
    assertThat(seen).isEqualTo(EnumSet.allOf(WorkflowEventType.class));
  }

  @Test
  void unknownWorkflowsAnswer404WithTheValidNames() throws Exception {
    String body = client.post().uri("/api/workflows/teleport").exchangeToMono(r -> {
      assertThat(r.statusCode().value()).isEqualTo(404);
      return r.bodyToMono(String.class);
    }).block(Duration.ofSeconds(30));

    JsonNode json = MAPPER.readTree(body);
    assertThat(json.get("error").asText()).contains("teleport");
    assertThat(json.get("workflows")).hasSize(5);
  }

  @Test
  void malformedBodiesAreRejectedWithoutLosingStoredEvents() throws Exception {
    String good = goodBatch("wf-malformed-check");
    assertThat(ingest(good.getBytes(StandardCharsets.UTF_8), false)).containsEntry("status", 200);
    int stored = store.size();

    Map<String, Object> missingField = ingest(good.replace("\"stepName\":\"s\",", "").replace("wf-malformed-check", "wf-other").getBytes(StandardCharsets.UTF_8), false);
    Map<String, Object> notJson = ingest("{\"events\":[".getBytes(StandardCharsets.UTF_8), false);
    Map<String, Object> notGzip = ingest(good.getBytes(StandardCharsets.UTF_8), true);

    assertThat(missingField).containsEntry("status", 400);
    assertThat((String) missingField.get("error")).isEqualTo("events[0].stepName: required field is missing");
    assertThat(notJson).containsEntry("status", 400);
    assertThat((String) notJson.get("error")).startsWith("body: not valid JSON");
    assertThat(notGzip).containsEntry("status", 400);
    assertThat(store.size()).isEqualTo(stored);
    assertThat(events("wf-malformed-check")).hasSize(1);
  }

  @Test
  void duplicateDeliveryIsCountedNotStoredTwice() throws Exception {
    byte[] batch = goodBatch("wf-duplicate-check").getBytes(StandardCharsets.UTF_8);

    Map<String, Object> first = ingest(gzip(batch), true);
    Map<String, Object> second = ingest(batch, false);

    assertThat(first).containsEntry("received", 1).containsEntry("duplicates", 0);
    assertThat(second).containsEntry("received", 0).containsEntry("duplicates", 1);
    assertThat(events("wf-duplicate-check")).hasSize(1);
  }

  @Test
  void whileTheCollectorFailsThePanelShowsFailuresAndAQueueThatDrainsWithNothingLostAfterwards() throws Exception {
    JsonNode started = post("/api/collector/fault?mode=fail&seconds=60");
    assertThat(started.get("fault").asText()).isEqualTo("fail");
    try {
      String workflowId = post("/api/workflows/payment-failure").get("workflowId").asText();

      await().atMost(Duration.ofSeconds(20)).until(() -> {
        JsonNode panel = panel();
        return panel.get("consecutiveFailures").asLong() >= 2 && panel.get("pending").asLong() > 0;
      });
      JsonNode failing = panel();
      assertThat(failing.get("lastFailureReason").asText()).isEqualTo("HTTP 503");
      assertThat(failing.at("/requests/retry").asLong()).isPositive();
      assertThat(failing.at("/collector/faultedRequests").asLong()).isPositive();
      assertThat(failing.at("/collector/faultSecondsLeft").asLong()).isBetween(1L, 60L);
      assertThat(events(workflowId)).isEmpty();

      assertThat(delete("/api/collector/fault").get("fault").asText()).isEqualTo("none");

      await().atMost(Duration.ofSeconds(20)).until(() -> {
        JsonNode panel = panel();
        return panel.get("pending").asLong() == 0 && panel.get("consecutiveFailures").asLong() == 0
            && types(events(workflowId)).contains("workflow.failed");
      });
      JsonNode recovered = panel();
      assertThat(recovered.get("dropped").asLong()).isZero();
      assertThat(recovered.get("delivered").asLong()).isEqualTo(recovered.get("emitted").asLong());
      assertThat(recovered.get("queueSize").asLong()).isZero();
      assertThat(recovered.get("queueCapacity").asLong()).isEqualTo(500);
    } finally {
      delete("/api/collector/fault");
    }
  }

  @Test
  void aHangingCollectorHoldsBatchesUntilTheFaultEnds() throws Exception {
    post("/api/collector/fault?mode=hang&seconds=60");
    try {
      String workflowId = post("/api/workflows/cancelled-shipment").get("workflowId").asText();

      await().atMost(Duration.ofSeconds(20)).until(() -> panel().at("/collector/faultedRequests").asLong() > 0
          && panel().get("pending").asLong() > 0);
      assertThat(events(workflowId)).isEmpty();

      delete("/api/collector/fault");

      await().atMost(Duration.ofSeconds(20)).until(() -> types(events(workflowId)).contains("workflow.cancelled"));
    } finally {
      delete("/api/collector/fault");
    }
  }

  @Test
  void aBadFaultRequestIsRefusedNamingWhatIsWrong() {
    for (String query : List.of("mode=explode&seconds=5", "mode=fail&seconds=0", "mode=hang&seconds=301", "mode=fail")) {
      String body = client.post().uri("/api/collector/fault?" + query).exchangeToMono(r -> {
        assertThat(r.statusCode().value()).as(query).isEqualTo(400);
        return r.bodyToMono(String.class);
      }).block(Duration.ofSeconds(30));
      assertThat(body).contains(query.contains("explode") ? "mode must be fail or hang" : "seconds must be between 1 and 300");
    }
  }

  @Test
  void theEndpointIsLoggedWithoutCredentialsOrQuery() {
    HttpBatchTracker withSecrets = HttpBatchTracker.create(HttpBatchTrackerConfig.builder()
        .endpoint("http://alice:secret@localhost:9/ingest?token=abc").env("e").serviceKey("k").build());
    try {
      assertThat(DemoStartup.destination(withSecrets)).isEqualTo("http://localhost:9/ingest");
    } finally {
      withSecrets.close();
    }
    assertThat(DemoStartup.destination(new dev.durableeffect.tracker.InMemoryTracker()))
        .isEqualTo("nowhere: the InMemoryTracker keeps them in this process");
  }

  private JsonNode panel() throws Exception {
    return MAPPER.readTree(client.get().uri("/api/tracker").retrieve().bodyToMono(String.class).block(Duration.ofSeconds(30)));
  }

  private JsonNode delete(String path) throws Exception {
    return MAPPER.readTree(client.delete().uri(path).retrieve().bodyToMono(String.class).block(Duration.ofSeconds(30)));
  }

  @Test
  void anEventTheTrackerAcceptsArrivesAtTheEmbeddedCollector() throws Exception {
    long delivered = tracker.stats().delivered();
    WorkflowEvent event = new WorkflowEvent.WorkflowResumed(WorkflowEvents.createBaseEvent("wf-collector-check", "manual"));

    tracker.emit(event);

    assertThat(tracker.flush(Duration.ofSeconds(10))).isTrue();
    assertThat(tracker.stats().delivered()).isGreaterThan(delivered);
    assertThat(events("wf-collector-check"))
        .singleElement()
        .satisfies(stored -> assertThat(stored.get("eventId").asText()).isEqualTo(event.base().eventId()));
  }

  private static String goodBatch(String workflowId) {
    return "{\"events\":[{\"eventId\":\"" + java.util.UUID.randomUUID() + "\",\"timestamp\":\"2025-12-05T03:20:12.456Z\","
        + "\"source\":\"workflow\",\"workflowId\":\"" + workflowId + "\",\"workflowName\":\"manual\","
        + "\"type\":\"step.started\",\"stepName\":\"s\",\"attempt\":1,\"env\":\"test\",\"serviceKey\":\"k\"}]}";
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> ingest(byte[] body, boolean gzipHeader) throws Exception {
    return client.post().uri("/ingest")
        .headers(h -> {
          h.set("Content-Type", "application/json");
          if (gzipHeader) {
            h.set("Content-Encoding", "gzip");
          }
        })
        .bodyValue(body)
        .exchangeToMono(r -> r.bodyToMono(String.class).map(text -> {
          try {
            Map<String, Object> json = new java.util.HashMap<>(MAPPER.readValue(text, Map.class));
            json.put("status", r.statusCode().value());
            return json;
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }))
        .block(Duration.ofSeconds(30));
  }

  private static byte[] gzip(byte[] body) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
      zip.write(body);
    }
    return out.toByteArray();
  }
}
