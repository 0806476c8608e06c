package dev.durableeffect.tracker.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.requestMatching;
import static com.github.tomakehurst.wiremock.client.WireMock.status;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.durableeffect.tracker.http.Sink.assertAccounted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.matching.MatchResult;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.durableeffect.tracker.DropReason;
import dev.durableeffect.tracker.TestEvents;
import dev.durableeffect.tracker.TrackerStats;
import dev.durableeffect.tracker.event.WireEvent;
import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.event.WorkflowEvents;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class HttpBatchTrackerTest {

  @RegisterExtension
  static WireMockExtension server =
      WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  private final List<HttpBatchTracker> trackers = new ArrayList<>();
  private final ch.qos.logback.classic.Logger logger =
      (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("dev.durableeffect.tracker");
  private final ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs =
      new ch.qos.logback.core.read.ListAppender<>();

  @BeforeEach
  void healthyEndpointAndLogCapture() {
    server.stubFor(post(urlEqualTo("/ingest")).willReturn(ok()));
    logs.start();
    logger.addAppender(logs);
  }

  private List<String> messages() {
    return logs.list.stream().map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).toList();
  }

  @AfterEach
  void closeTrackers() {
    logger.detachAppender(logs);
    for (HttpBatchTracker tracker : trackers) {
      tracker.close();
      assertAccounted(tracker);
      assertThat(tracker.pending()).isZero();
    }
  }

  private HttpBatchTracker tracker(Consumer<HttpBatchTrackerConfig.Builder> settings) {
    HttpBatchTrackerConfig.Builder builder = Sink.testConfig(server.baseUrl() + "/ingest");
    settings.accept(builder);
    HttpBatchTracker tracker = HttpBatchTracker.create(builder.build());
    trackers.add(tracker);
    return tracker;
  }

  private static List<WorkflowEvent> emit(HttpBatchTracker tracker, int count) {
    List<WorkflowEvent> events = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      WorkflowEvent event = TestEvents.numbered(i);
      events.add(event);
      tracker.emit(event);
    }
    return events;
  }

  private static List<String> ids(List<? extends Object> events) {
    return events.stream()
        .map(e -> e instanceof WireEvent w ? w.event().base().eventId() : ((WorkflowEvent) e).base().eventId())
        .toList();
  }

  @Test
  void sendsAFullBatchAtOnceAndKeepsTheRestUntilFlushed() {
    HttpBatchTracker tracker = tracker(b -> b.batchSize(10));

    List<WorkflowEvent> events = emit(tracker, 25);

    await().untilAsserted(() -> assertThat(Sink.requests(server)).hasSize(2));
    assertThat(Sink.requests(server)).allSatisfy(r -> assertThat(Sink.events(r)).hasSize(10));
    assertThat(tracker.pending()).isEqualTo(5);

    assertThat(tracker.flush(Duration.ofSeconds(5))).isTrue();

    assertThat(Sink.requests(server)).hasSize(3);
    assertThat(ids(Sink.received(server))).containsExactlyElementsOf(ids(events));
    assertThat(tracker.stats().delivered()).isEqualTo(25);
    assertAccounted(tracker);
  }

  @Test
  void sendsAPartialBatchOnceFlushIntervalHasPassed() {
    HttpBatchTracker tracker = tracker(b -> b.batchSize(100).flushInterval(Duration.ofMillis(200)));
    long start = System.nanoTime();

    emit(tracker, 3);

    await().atMost(Duration.ofSeconds(5)).until(() -> Sink.requests(server).size() == 1);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
    assertThat(Sink.received(server)).hasSize(3);
    await().until(() -> tracker.pending() == 0);
  }

  @Test
  void flushCompletesWhenEverythingAcceptedBeforeIsDelivered() {
    HttpBatchTracker tracker = tracker(b -> b.batchSize(1000));
    assertThat(tracker.flush()).isCompleted();

    emit(tracker, 42);
    CompletableFuture<Void> flushed = tracker.flush();

    assertThat(flushed).succeedsWithin(Duration.ofSeconds(5));
    assertThat(tracker.stats().delivered()).isEqualTo(42);
    assertThat(tracker.pending()).isZero();
    assertThat(Sink.received(server)).hasSize(42);
  }

  @Test
  void flushDoesNotWaitForEventsEmittedAfterIt() throws Exception {
    try (HeldEndpoint endpoint = new HeldEndpoint().hold()) {
      HttpBatchTracker tracker = tracker(b -> b.endpoint(endpoint.endpoint()).batchSize(5));
      List<WorkflowEvent> before = emit(tracker, 5);
      await().until(() -> endpoint.requests().size() == 1);
      CompletableFuture<Void> flushed = tracker.flush();

      // Accepted after the flush, sent once the first request is answered, and held unanswered.
      List<WorkflowEvent> after = emit(tracker, 5);
      endpoint.release();
      await().until(() -> endpoint.requests().size() == 2);

      assertThat(flushed).succeedsWithin(Duration.ofSeconds(5));
      assertThat(tracker.stats().delivered()).isEqualTo(5);
      assertThat(tracker.pending()).isEqualTo(5);
      assertThat(endpoint.requests().get(0).ids()).isEqualTo(ids(before));
      assertThat(ids(after)).startsWith(endpoint.requests().get(1).ids().toArray(String[]::new));
      endpoint.releaseAll();
      assertThat(tracker.flush(Duration.ofSeconds(5))).isTrue();
      assertThat(tracker.stats().delivered()).isEqualTo(10);
    }
  }

  @Test
  void keepsEventsInOrderAcrossRetriesWithOneRequestInFlight() throws Exception {
    try (HeldEndpoint endpoint = new HeldEndpoint().answer(503).hold()) {
      HttpBatchTracker tracker = tracker(b -> b.endpoint(endpoint.endpoint()).batchSize(5));

      List<WorkflowEvent> events = emit(tracker, 15);

      // Answer one request at a time; while one is open, no other may arrive, although full
      // batches are waiting.
      for (int answered = 0; answered < 4; answered++) {
        int arrived = answered + 1;
        await().until(() -> endpoint.requests().size() >= arrived);
        await()
            .during(Duration.ofMillis(200))
            .atMost(Duration.ofSeconds(2))
            .until(() -> endpoint.requests().size() == arrived);
        endpoint.release();
      }
      assertThat(tracker.flush(Duration.ofSeconds(5))).isTrue();

      List<HeldEndpoint.Request> requests = endpoint.requests();
      assertThat(requests).hasSize(4);
      assertThat(endpoint.mostOpenAtOnce()).isEqualTo(1);
      assertThat(requests.get(1).ids()).as("the retry resends the first batch").isEqualTo(requests.get(0).ids());
      assertThat(requests.get(1).idempotencyKey()).isEqualTo(requests.get(0).idempotencyKey());
      List<String> arrivedInOrder =
          requests.subList(1, 4).stream().flatMap(r -> r.ids().stream()).toList();
      assertThat(arrivedInOrder).containsExactlyElementsOf(ids(events));
      assertThat(tracker.stats().delivered()).isEqualTo(15);
    }
  }

  @Test
  void sendsJsonWithConfiguredHeadersUserAgentAndIdempotencyKey() {
    HttpBatchTracker tracker = tracker(b -> b.batchSize(2).header("X-Api-Key", "secret-key-123"));

    emit(tracker, 2);

    await().untilAsserted(() -> server.verify(1, postRequestedFor(urlEqualTo("/ingest"))));
    server.verify(
        postRequestedFor(urlEqualTo("/ingest"))
            .withHeader("Content-Type", equalTo("application/json"))
            .withHeader("X-Api-Key", equalTo("secret-key-123"))
            .withHeader("User-Agent", matching("durable-tracker-java/\\S+ \\(Java \\d+\\)"))
            .withHeader("Idempotency-Key", matching("[0-9a-f-]{36}"))
            .withoutHeader("Content-Encoding"));
  }

  @Test
  void aConfiguredContentTypeOverridesTheDefault() {
    HttpBatchTracker tracker =
        tracker(b -> b.batchSize(1).header("Content-Type", "application/vnd.events+json"));

    emit(tracker, 1);

    await().untilAsserted(
        () ->
            server.verify(
                postRequestedFor(urlEqualTo("/ingest"))
                    .withHeader("Content-Type", equalTo("application/vnd.events+json"))));
  }

  @Test
  void gzipBodyDecodesToAValidBatch() {
    HttpBatchTracker tracker = tracker(b -> b.batchSize(50).compression(Compression.GZIP));

    List<WorkflowEvent> events = emit(tracker, 50);

    await().until(() -> Sink.requests(server).size() == 1);
    LoggedRequest request = Sink.requests(server).get(0);
    assertThat(request.getHeader("Content-Encoding")).isEqualTo("gzip");
    assertThat(ids(Sink.events(request))).containsExactlyElementsOf(ids(events));
  }

  @Test
  void everyEventIsEnrichedWithEnvServiceKeyAndSource() throws Exception {
    HttpBatchTracker tracker = tracker(b -> b.batchSize(5));

    emit(tracker, 5);

    await().until(() -> Sink.requests(server).size() == 1);
    var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(Sink.body(Sink.requests(server).get(0)));
    assertThat(json.get("events")).hasSize(5);
    for (var event : json.get("events")) {
      assertThat(event.get("env").asText()).isEqualTo("test");
      assertThat(event.get("serviceKey").asText()).isEqualTo("orders");
      assertThat(event.get("source").asText()).isEqualTo("workflow");
    }
  }

  @Test
  void retriesServiceUnavailableAndDeliversEachEventOnceWithOneIdempotencyKey() {
    server.resetAll();
    server.stubFor(post(urlEqualTo("/ingest")).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(status(503)).willSetStateTo("second"));
    server.stubFor(post(urlEqualTo("/ingest")).inScenario("flaky").whenScenarioStateIs("second")
        .willReturn(status(503)).willSetStateTo("healthy"));
    server.stubFor(post(urlEqualTo("/ingest")).inScenario("flaky").whenScenarioStateIs("healthy")
        .willReturn(ok()));
    HttpBatchTracker tracker = tracker(b -> b.batchSize(10));

    List<WorkflowEvent> events = emit(tracker, 10);

    await().until(() -> tracker.stats().delivered() == 10);
    List<LoggedRequest> requests = Sink.requests(server);
    assertThat(requests).hasSize(3);
    assertThat(requests.stream().map(r -> r.getHeader("Idempotency-Key")).distinct()).hasSize(1);
    assertThat(ids(Sink.events(requests.get(2)))).containsExactlyElementsOf(ids(events));
    assertThat(tracker.stats().dropped()).isZero();
  }

  @Test
  void countsExhaustedRetriesWithoutAffectingTheCaller() {
    server.stubFor(post(urlEqualTo("/ingest")).willReturn(status(503)));
    HttpBatchTracker tracker =
        tracker(b -> b.batchSize(10).maxBatchSize(10).maxQueueSize(20).maxAttempts(3).initialDelay(Duration.ofMillis(100)).maxDelay(Duration.ofMillis(200)));
    emit(tracker, 10);
    await().until(() -> !Sink.requests(server).isEmpty());
    List<WorkflowEvent> more = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      more.add(TestEvents.numbered(i));
    }

    // While the batch is retried, the caller's emits neither wait nor throw.
    long waitsBefore = CallerWaits.sofar();
    more.forEach(tracker::emit);
    assertThat(CallerWaits.sofar() - waitsBefore).as("times the caller parked or blocked in emit").isZero();
    // What the tracker holds is bounded by the queue and the lane (the README's bound:
    // maxQueueSize + 2 x maxBatchSize), the rest refused.
    assertThat(tracker.pending()).isLessThanOrEqualTo(20 + 2 * 10);

    assertThat(tracker.flush(Duration.ofSeconds(10))).isTrue();
    await().untilAsserted(() -> assertThat(messages())
        .anySatisfy(m -> assertThat(m).contains("(QUEUE_FULL): the queue held maxQueueSize=20 events")));
    String firstKey = Sink.requests(server).get(0).getHeader("Idempotency-Key");
    assertThat(Sink.requests(server)).filteredOn(r -> firstKey.equals(r.getHeader("Idempotency-Key"))).hasSize(3);
    TrackerStats stats = tracker.stats();
    assertThat(stats.delivered()).isZero();
    assertThat(stats.dropped(DropReason.RETRIES_EXHAUSTED) + stats.dropped(DropReason.QUEUE_FULL)).isEqualTo(110);
    // At least the first batch and a full queue were retried; more if batches gave up while the
    // caller was still emitting (a slow moment of the machine), which frees room.
    assertThat(stats.dropped(DropReason.RETRIES_EXHAUSTED)).isGreaterThanOrEqualTo(30L);
    assertThat(stats.dropped(DropReason.QUEUE_FULL)).isPositive();
    assertThat(tracker.pending()).isZero();
    assertThat(tracker.deliveryStatus().lastFailureReason()).isEqualTo("HTTP 503");
    assertThat(tracker.deliveryStatus().consecutiveFailures()).isGreaterThanOrEqualTo(3);
    assertAccounted(tracker);
  }

  @Test
  void doesNotRetryABadRequest() {
    server.stubFor(post(urlEqualTo("/ingest")).willReturn(status(400)));
    HttpBatchTracker tracker = tracker(b -> b.batchSize(4));

    emit(tracker, 4);

    await().until(() -> tracker.stats().dropped(DropReason.REJECTED) == 4);
    assertThat(tracker.flush(Duration.ofSeconds(2))).isTrue();
    assertThat(Sink.requests(server)).hasSize(1);
  }

  @Test
  void honoursRetryAfterOnTooManyRequests() {
    server.resetAll();
    server.stubFor(post(urlEqualTo("/ingest")).inScenario("limited").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(status(429).withHeader("Retry-After", "1")).willSetStateTo("open"));
    server.stubFor(post(urlEqualTo("/ingest")).inScenario("limited").whenScenarioStateIs("open")
        .willReturn(ok()));
    HttpBatchTracker tracker = tracker(b -> b.batchSize(3));

    emit(tracker, 3);

    await().atMost(Duration.ofSeconds(10)).until(() -> tracker.stats().delivered() == 3);
    List<LoggedRequest> requests = Sink.requests(server);
    assertThat(requests).hasSize(2);
    long gapMillis = requests.get(1).getLoggedDate().getTime() - requests.get(0).getLoggedDate().getTime();
    assertThat(gapMillis).isGreaterThanOrEqualTo(950);
  }

  @Test
  void timesOutAHangingEndpointPerRequestTimeout() {
    server.stubFor(post(urlEqualTo("/ingest")).willReturn(ok().withFixedDelay(5_000)));
    HttpBatchTracker tracker =
        tracker(b -> b.batchSize(2).maxAttempts(1).requestTimeout(Duration.ofMillis(300)));
    long start = System.nanoTime();

    emit(tracker, 2);

    await().atMost(Duration.ofSeconds(4)).until(() -> tracker.stats().dropped(DropReason.RETRIES_EXHAUSTED) == 2);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    assertThat(tracker.deliveryStatus().lastFailureReason()).isEqualTo("timeout after 300 ms");
  }

  @Test
  void splitsABatchTheEndpointFindsTooLarge() {
    server.resetAll();
    server.stubFor(requestMatching(r -> MatchResult.of(Sink.events(toLogged(r)).size() > 2))
        .willReturn(status(413)).atPriority(1));
    server.stubFor(post(urlEqualTo("/ingest")).willReturn(ok()).atPriority(5));
    HttpBatchTracker tracker = tracker(b -> b.batchSize(8));

    List<WorkflowEvent> events = emit(tracker, 8);

    await().until(() -> tracker.stats().delivered() == 8);
    List<Integer> sizes = Sink.requests(server).stream().map(r -> Sink.events(r).size()).toList();
    assertThat(sizes).containsExactly(8, 4, 2, 2, 4, 2, 2);
    List<String> delivered =
        Sink.requests(server).stream()
            .map(Sink::events)
            .filter(e -> e.size() <= 2)
            .flatMap(List::stream)
            .map(w -> w.event().base().eventId())
            .toList();
    assertThat(delivered).containsExactlyElementsOf(ids(events));
  }

  private static LoggedRequest toLogged(com.github.tomakehurst.wiremock.http.Request request) {
    return LoggedRequest.createFrom(request);
  }

  @Test
  void aSingleEventRejectedWith413IsCountedTooLarge() {
    server.stubFor(post(urlEqualTo("/ingest")).willReturn(status(413)));
    HttpBatchTracker tracker = tracker(b -> b.batchSize(1));

    emit(tracker, 1);

    await().until(() -> tracker.stats().dropped(DropReason.TOO_LARGE) == 1);
  }

  @Test
  void dropsExactlyTheEventsBeyondMaxQueueSize() {
    HttpBatchTracker tracker = tracker(b -> b.batchSize(1000).maxQueueSize(100));

    emit(tracker, 150);

    TrackerStats stats = tracker.stats();
    assertThat(stats.emitted()).isEqualTo(150);
    assertThat(stats.dropped(DropReason.QUEUE_FULL)).isEqualTo(50);
    assertThat(stats.pending()).isEqualTo(100);
    assertThat(tracker.flush(Duration.ofSeconds(5))).isTrue();
    assertThat(tracker.stats().delivered()).isEqualTo(100);
  }

  @Test
  void keepsAcceptingUpToTheQueueBoundWhileABatchIsRetried() {
    server.stubFor(post(urlEqualTo("/ingest")).willReturn(status(503)));
    HttpBatchTracker tracker =
        tracker(b -> b.batchSize(10).maxQueueSize(50).maxAttempts(1000).initialDelay(Duration.ofSeconds(1)).maxDelay(Duration.ofSeconds(1)));
    emit(tracker, 10);
    await().until(() -> Sink.requests(server).size() >= 1);

    emit(tracker, 60);

    // The queue holds 50 besides the batch being retried; the sender may also have taken the next
    // batch of 10 ahead of it, depending on when it woke.
    TrackerStats stats = tracker.stats();
    long full = stats.dropped(DropReason.QUEUE_FULL);
    assertThat(full).isBetween(0L, 10L);
    assertThat(stats.pending()).isEqualTo(70 - full).isLessThanOrEqualTo(50 + 2 * 10);
    server.stubFor(post(urlEqualTo("/ingest")).willReturn(ok()));
    assertThat(tracker.flush(Duration.ofSeconds(10))).isTrue();
    assertThat(tracker.stats().delivered()).isEqualTo(70 - full);
  }

  @Test
  void deliversEveryEventExactlyOnceFromEightThreads() throws Exception {
    HttpBatchTracker tracker = tracker(b -> b.batchSize(500).maxQueueSize(100_000).flushInterval(Duration.ofMillis(100)));
    int threads = 8;
    int perThread = 10_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<List<String>>> emitted = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      emitted.add(
          pool.submit(
              () -> {
                start.await();
                List<String> ids = new ArrayList<>(perThread);
                for (int i = 0; i < perThread; i++) {
                  WorkflowEvent event =
                      new WorkflowEvent.StepStarted(WorkflowEvents.createBaseEvent("wf", "load"), "s", 1);
                  ids.add(event.base().eventId());
                  tracker.emit(event);
                }
                return ids;
              }));
    }
    start.countDown();
    Set<String> expected = new HashSet<>();
    for (Future<List<String>> f : emitted) {
      expected.addAll(f.get());
    }
    pool.shutdown();

    assertThat(tracker.flush(Duration.ofSeconds(30))).isTrue();

    List<String> received = ids(Sink.received(server));
    assertThat(received).hasSize(threads * perThread).doesNotHaveDuplicates();
    assertThat(new HashSet<>(received)).isEqualTo(expected);
    assertThat(tracker.stats().delivered()).isEqualTo(threads * perThread);
    assertAccounted(tracker);
  }

  @Test
  void emitNeverWaitsWhileTheEndpointHangs() {
    server.stubFor(post(urlEqualTo("/ingest")).willReturn(ok().withFixedDelay(10_000)));
    HttpBatchTracker tracker =
        tracker(b -> b.batchSize(10).requestTimeout(Duration.ofSeconds(30)).shutdownTimeout(Duration.ofMillis(200)));
    emit(tracker, 10);
    await().until(() -> Sink.requests(server).size() == 1);
    List<WorkflowEvent> events = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      events.add(TestEvents.numbered(i));
    }

    long waitsBefore = CallerWaits.sofar();
    events.forEach(tracker::emit);

    // Not a wall-clock limit, which a busy machine breaks: the caller never parked or blocked.
    assertThat(CallerWaits.sofar() - waitsBefore).as("times the caller parked or blocked in emit").isZero();
    // The queue holds 10,000; the sender may have taken one batch of 10 ahead of the one in flight.
    assertThat(tracker.stats().dropped(DropReason.QUEUE_FULL)).isBetween(9_990L, 10_000L);
    assertThat(tracker.pending()).isLessThanOrEqualTo(10_000 + 2 * 10);
  }

  @Test
  void closeDeliversWhatIsPending() {
    HttpBatchTracker tracker = tracker(b -> b.batchSize(100).shutdownTimeout(Duration.ofSeconds(30)));
    List<WorkflowEvent> events = emit(tracker, 250);
    long start = System.nanoTime();

    tracker.close();

    // Returns once everything is delivered, not when the shutdown timeout runs out.
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));

    assertThat(tracker.stats().delivered()).isEqualTo(250);
    assertThat(tracker.pending()).isZero();
    assertThat(ids(Sink.received(server))).containsExactlyElementsOf(ids(events));
  }

  @Test
  void closeReturnsWithinShutdownTimeoutWhenTheEndpointHangsAndCountsTheRestClosed() {
    server.stubFor(post(urlEqualTo("/ingest")).willReturn(ok().withFixedDelay(10_000)));
    HttpBatchTracker tracker =
        tracker(b -> b.batchSize(10).requestTimeout(Duration.ofSeconds(30)).shutdownTimeout(Duration.ofMillis(500)));
    emit(tracker, 25);
    await().until(() -> Sink.requests(server).size() == 1);
    long start = System.nanoTime();

    tracker.close();

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    assertThat(tracker.stats().dropped(DropReason.CLOSED)).isEqualTo(25);
    // The batches the sender held (in flight and next) and what was still queued, each logged.
    assertThat(messages()).anySatisfy(m -> assertThat(m).matches("durable-tracker: dropped [1-9]\\d* events \\(CLOSED\\): shutdown timeout reached"));
    assertThat(messages()).noneSatisfy(m -> assertThat(m).contains("dropped 0 "));
    assertThat(tracker.pending()).isZero();
    assertAccounted(tracker);
  }

  @Test
  void eventsEmittedAfterCloseAreCountedClosed() {
    HttpBatchTracker tracker = tracker(b -> b.batchSize(10));
    tracker.close();
    tracker.close();

    emit(tracker, 3);

    assertThat(tracker.stats().dropped(DropReason.CLOSED)).isEqualTo(3);
    assertThat(tracker.flush()).isCompleted();
    assertAccounted(tracker);
  }

  @Test
  void anUnserializableEventIsDroppedAloneAndTheRestOfItsBatchIsSent() {
    HttpBatchTracker tracker = tracker(b -> b.batchSize(3));
    Map<String, Object> cyclic = new java.util.HashMap<>();
    cyclic.put("self", cyclic);
    class Exploding {
      public String getValue() {
        throw new IllegalStateException("getter fails");
      }
    }

    tracker.emit(TestEvents.numbered(1));
    tracker.emit(new WorkflowEvent.WorkflowStarted(WorkflowEvents.createBaseEvent("wf", "x"), cyclic));
    tracker.emit(new WorkflowEvent.WorkflowStarted(WorkflowEvents.createBaseEvent("wf", "x"), new Exploding()));
    tracker.emit(TestEvents.numbered(2));
    tracker.emit(TestEvents.numbered(3));

    assertThat(tracker.flush(Duration.ofSeconds(5))).isTrue();
    assertThat(tracker.stats().dropped(DropReason.NOT_SERIALIZABLE)).isEqualTo(2);
    assertThat(Sink.received(server))
        .extracting(w -> w.event().base().workflowId())
        .containsExactly("wf-1", "wf-2", "wf-3");
  }

  @Test
  void anEventOverMaxEventBytesIsDroppedAsTooLarge() {
    HttpBatchTracker tracker = tracker(b -> b.batchSize(3).maxEventBytes(1024).maxBatchBytes(4096));

    tracker.emit(TestEvents.numbered(1));
    tracker.emit(new WorkflowEvent.WorkflowStarted(WorkflowEvents.createBaseEvent("wf", "x"), "x".repeat(2000)));
    tracker.emit(TestEvents.numbered(2));

    assertThat(tracker.flush(Duration.ofSeconds(5))).isTrue();
    assertThat(tracker.stats().dropped(DropReason.TOO_LARGE)).isEqualTo(1);
    assertThat(Sink.received(server)).hasSize(2);
  }

  @Test
  void splitsBatchesSoNoBodyExceedsMaxBatchBytes() {
    HttpBatchTracker tracker = tracker(b -> b.batchSize(100).maxEventBytes(1000).maxBatchBytes(2000));

    emit(tracker, 100);

    assertThat(tracker.flush(Duration.ofSeconds(5))).isTrue();
    List<LoggedRequest> requests = Sink.requests(server);
    assertThat(requests.size()).isGreaterThan(1);
    assertThat(requests).allSatisfy(r -> assertThat(r.getBody().length).isLessThanOrEqualTo(2000));
    assertThat(Sink.received(server)).hasSize(100);
  }

  @Test
  void nullEventsAreCountedInvalid() {
    HttpBatchTracker tracker = tracker(b -> b.batchSize(10));

    tracker.emit(null);

    assertThat(tracker.stats().dropped(DropReason.INVALID)).isEqualTo(1);
  }

  @Test
  void reportsEachRequestToSendListeners() {
    server.resetAll();
    server.stubFor(post(urlEqualTo("/ingest")).inScenario("s").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(status(500)).willSetStateTo("ok"));
    server.stubFor(post(urlEqualTo("/ingest")).inScenario("s").whenScenarioStateIs("ok").willReturn(ok()));
    HttpBatchTracker tracker = tracker(b -> b.batchSize(2));
    List<SendReport> reports = new java.util.concurrent.CopyOnWriteArrayList<>();
    tracker.addSendListener(reports::add);

    emit(tracker, 2);

    await().until(() -> reports.size() == 2);
    assertThat(reports).extracting(SendReport::status).containsExactly(500, 200);
    assertThat(reports).extracting(SendReport::outcome).containsExactly(SendOutcome.RETRY, SendOutcome.SUCCESS);
    assertThat(reports).extracting(SendReport::events).containsExactly(2, 2);
  }

  @Test
  void flushWithATimeoutSaysFalseWhenItRunsOutAndTrueOnceDone() throws Exception {
    try (HeldEndpoint endpoint = new HeldEndpoint().hold()) {
      HttpBatchTracker tracker = tracker(b -> b.endpoint(endpoint.endpoint()).batchSize(1));
      emit(tracker, 1);
      await().until(() -> endpoint.requests().size() == 1);

      assertThat(tracker.flush(Duration.ofMillis(200))).isFalse();

      endpoint.release();
      assertThat(tracker.flush(Duration.ofSeconds(5))).isTrue();
      assertThat(tracker.stats().delivered()).isEqualTo(1);
    }
  }

  @Test
  void dropsAreLoggedAtWarnOncePerIntervalNamingTheStatusAndNeverAHeaderValue() {
    server.stubFor(post(urlEqualTo("/ingest")).willReturn(status(401)));
    {
      HttpBatchTracker tracker =
          tracker(b -> b.batchSize(2).header("X-Api-Key", "k3y-never-logged").header("Authorization", "Bearer t0ken-never-logged"));

      for (int round = 0; round < 3; round++) {
        emit(tracker, 2);
        assertThat(tracker.flush(Duration.ofSeconds(5))).isTrue();
      }

      assertThat(tracker.stats().dropped(DropReason.REJECTED)).isEqualTo(6);
      List<ch.qos.logback.classic.spi.ILoggingEvent> rejected =
          logs.list.stream().filter(e -> e.getFormattedMessage().contains("(REJECTED)")).toList();
      assertThat(rejected).singleElement().satisfies(e -> {
        assertThat(e.getLevel()).isEqualTo(ch.qos.logback.classic.Level.WARN);
        assertThat(e.getFormattedMessage()).contains("dropped 2 events", "HTTP 401", "/ingest");
      });
      assertThat(messages()).noneSatisfy(m -> assertThat(m).containsAnyOf("k3y-never-logged", "t0ken-never-logged"));
      assertThat(messages()).as("no other drops, and an uninterrupted sender says nothing about interrupts")
          .noneSatisfy(m -> assertThat(m).containsAnyOf("interrupted", "(CLOSED)", "dropped 0"));
    }
  }

  @Test
  void sendsOnOneDaemonThreadOfItsOwnNamedDurableTrackerSender() {
    Set<Thread> before = senderThreads();

    HttpBatchTracker tracker = tracker(b -> b.batchSize(1));
    Set<Thread> started = senderThreads();
    started.removeAll(before);

    assertThat(started).singleElement().satisfies(thread -> {
      assertThat(thread.getName()).matches("durable-tracker-sender-\\d+");
      assertThat(thread.isDaemon()).as("a daemon thread never keeps the JVM alive").isTrue();
    });
    Thread sender = started.iterator().next();
    tracker.close();
    await().until(() -> !sender.isAlive());
  }

  private static Set<Thread> senderThreads() {
    Set<Thread> threads = new HashSet<>();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (thread.getName().startsWith("durable-tracker-sender") && thread.isAlive()) {
        threads.add(thread);
      }
    }
    return threads;
  }
}
