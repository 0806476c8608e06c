package dev.durableeffect.tracker.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.durableeffect.tracker.http.Sink.assertAccounted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.durableeffect.tracker.DropReason;
import dev.durableeffect.tracker.TestEvents;
import dev.durableeffect.tracker.TrackerStats;
import dev.durableeffect.tracker.event.WireEvent;
import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.event.WorkflowEvents;
import dev.durableeffect.tracker.spool.SpoolConfig;
import dev.durableeffect.tracker.spool.SpoolStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP tracker with a disk spool, in one process: what close leaves in the spool is delivered by
 * the next tracker on the directory, retryable failures are retried until delivery, flush waits for
 * delivery from the spool, and the byte and age bounds drop (and count) what they must.
 */
class SpoolDeliveryTest {

  @RegisterExtension
  static WireMockExtension server = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  @TempDir Path directory;

  private final List<HttpBatchTracker> trackers = new ArrayList<>();

  @AfterEach
  void closeTrackers() {
    for (HttpBatchTracker tracker : trackers) {
      tracker.close();
      assertAccounted(tracker);
    }
  }

  private HttpBatchTracker tracker(Consumer<SpoolConfig.Builder> spool, Consumer<HttpBatchTrackerConfig.Builder> settings) {
    SpoolConfig.Builder spoolConfig = SpoolConfig.builder(directory);
    spool.accept(spoolConfig);
    HttpBatchTrackerConfig.Builder builder =
        Sink.testConfig("http://localhost:" + server.getPort() + "/ingest")
            .batchSize(10)
            .maxBatchSize(10)
            .flushInterval(Duration.ofMillis(50))
            .spool(spoolConfig.build());
    settings.accept(builder);
    HttpBatchTracker tracker = HttpBatchTracker.create(builder.build());
    trackers.add(tracker);
    return tracker;
  }

  private void endpointDown() {
    server.stubFor(post(urlEqualTo("/ingest")).willReturn(aResponse().withStatus(503)));
  }

  /**
   * The newer stub wins over the 503 one; resetting the stubs instead would let a request in between
   * get a 404 (and its events be dropped as REJECTED).
   */
  private void endpointUp() {
    server.stubFor(post(urlEqualTo("/ingest")).willReturn(ok()));
  }

  @Test
  void whatCloseCouldNotDeliverStaysInTheSpoolAndTheNextTrackerDeliversItInOrder() {
    endpointDown();
    HttpBatchTracker first = tracker(s -> {}, b -> b.shutdownTimeout(Duration.ofMillis(300)));
    for (int i = 0; i < 30; i++) {
      first.emit(TestEvents.numbered(i));
    }
    await().until(() -> !server.findAll(postRequestedFor(urlEqualTo("/ingest"))).isEmpty());
    first.close();

    // One batch at a time, in order: the first batch kept failing, so no later one was ever sent,
    // not even when shutdown gave up on it.
    assertThat(Sink.requests(server))
        .allSatisfy(r -> assertThat(Sink.events(r).get(0).event().base().workflowId()).isEqualTo("wf-0"));
    TrackerStats closed = first.stats();
    assertThat(closed.pending()).as("kept in the spool").isEqualTo(30);
    assertThat(closed.dropped()).isZero();
    assertAccounted(first);

    // A request cancelled at close may still arrive; the next tracker sends elsewhere.
    server.stubFor(post(urlEqualTo("/next")).willReturn(ok()));
    HttpBatchTracker second =
        tracker(s -> {}, b -> b.endpoint("http://localhost:" + server.getPort() + "/next"));
    assertThat(second.stats().recovered()).isEqualTo(30);
    assertThat(second.flush(Duration.ofSeconds(10))).isTrue();

    assertThat(second.stats().delivered()).isEqualTo(30);
    List<String> workflows =
        Sink.requests(server).stream()
            .filter(r -> r.getUrl().equals("/next"))
            .flatMap(r -> Sink.events(r).stream())
            .map(e -> e.event().base().workflowId())
            .toList();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      expected.add("wf-" + i);
    }
    assertThat(workflows).containsExactlyElementsOf(expected);
    second.close();
    assertThat(second.stats().pending()).isZero();
  }

  @Test
  void whenShutdownGivesUpOnASpooledBatchNoLaterBatchIsSentAheadOfIt() {
    // The answer arrives while close() runs and asks for a retry later than its deadline.
    server.stubFor(
        post(urlEqualTo("/ingest"))
            .willReturn(aResponse().withStatus(503).withHeader("Retry-After", "5").withFixedDelay(200)));
    HttpBatchTracker tracker = tracker(s -> {}, b -> b.shutdownTimeout(Duration.ofMillis(1_000)));
    for (int i = 0; i < 30; i++) {
      tracker.emit(TestEvents.numbered(i));
    }
    await().until(() -> server.findAll(postRequestedFor(urlEqualTo("/ingest"))).size() == 1);

    tracker.close();

    assertThat(Sink.requests(server))
        .singleElement()
        .satisfies(r -> assertThat(Sink.events(r).get(0).event().base().workflowId()).isEqualTo("wf-0"));
    assertThat(tracker.stats().pending()).isEqualTo(30);
    assertThat(tracker.stats().dropped()).isZero();
  }

  @Test
  void retryableFailuresAreRetriedBeyondMaxAttemptsUntilDelivered() {
    endpointDown();
    HttpBatchTracker tracker = tracker(s -> {}, b -> b.maxAttempts(2));
    for (int i = 0; i < 10; i++) {
      tracker.emit(TestEvents.numbered(i));
    }
    await().until(() -> server.findAll(postRequestedFor(urlEqualTo("/ingest"))).size() >= 5);
    assertThat(tracker.stats().dropped()).isZero();

    endpointUp();

    assertThat(tracker.flush(Duration.ofSeconds(10))).isTrue();
    assertThat(tracker.stats().delivered()).isEqualTo(10);
    assertThat(tracker.stats().dropped(DropReason.RETRIES_EXHAUSTED)).isZero();
  }

  @Test
  void flushCompletesOnlyOnceTheSpooledEventsAreDelivered() {
    endpointDown();
    HttpBatchTracker tracker = tracker(s -> {}, b -> {});
    for (int i = 0; i < 5; i++) {
      tracker.emit(TestEvents.numbered(i));
    }

    assertThat(tracker.flush(Duration.ofMillis(500))).as("flush while the endpoint is down").isFalse();
    assertThat(tracker.pending()).isEqualTo(5);

    endpointUp();
    assertThat(tracker.flush(Duration.ofSeconds(10))).isTrue();
    assertThat(tracker.stats().delivered()).isEqualTo(5);
    assertThat(tracker.pending()).isZero();
  }

  @Test
  void overMaxBytesTheOldestEventsAreEvictedAndCountedSpoolFull() {
    endpointDown();
    HttpBatchTracker tracker = tracker(s -> s.maxBytes(1024 * 1024), b -> b.maxQueueSize(1_000));
    String padding = "x".repeat(4_000);
    for (int i = 0; i < 1_000; i++) {
      tracker.emit(
          new WorkflowEvent.WorkflowStarted(
              WorkflowEvents.createBaseEvent("wf-" + i, "test", "exec"), Map.of("padding", padding)));
    }
    await().until(() -> tracker.stats().dropped(DropReason.SPOOL_FULL) > 0 && tracker.queueSize() == 0);

    SpoolStatus spool = tracker.spoolStatus();
    assertThat(spool).isNotNull();
    assertThat(spool.bytes()).as("spool bytes").isLessThanOrEqualTo(1024 * 1024 + 256 * 1024);
    assertAccounted(tracker);

    endpointUp();
    await().until(() -> tracker.pending() == 0);
    TrackerStats stats = tracker.stats();
    assertThat(stats.delivered() + stats.dropped(DropReason.SPOOL_FULL)).as("%s", stats).isEqualTo(1_000);
    int acknowledged =
        server.getAllServeEvents().stream()
            .filter(e -> e.getResponse().getStatus() == 200)
            .mapToInt(e -> Sink.events(e.getRequest()).size())
            .sum();
    assertThat(acknowledged).as("events in requests answered 200").isEqualTo(stats.delivered());
  }

  @Test
  void eventsOlderThanMaxAgeAreDroppedAsExpired() {
    endpointDown();
    HttpBatchTracker tracker = tracker(s -> s.maxAge(Duration.ofMillis(300)), b -> {});
    for (int i = 0; i < 25; i++) {
      tracker.emit(TestEvents.numbered(i));
    }

    await().until(() -> tracker.stats().dropped(DropReason.EXPIRED) == 25);
    assertThat(tracker.pending()).isZero();
    assertThat(tracker.stats().delivered()).isZero();
  }

  @Test
  void theSpoolStatusShowsWhatWaits() {
    endpointDown();
    HttpBatchTracker tracker = tracker(s -> {}, b -> {});
    for (int i = 0; i < 5; i++) {
      tracker.emit(TestEvents.numbered(i));
    }
    await().until(() -> tracker.spoolStatus().bytes() > 0 && tracker.queueSize() == 0);

    SpoolStatus status = tracker.spoolStatus();
    assertThat(status.directory()).isEqualTo(directory.toAbsolutePath().normalize());
    assertThat(status.segments()).isEqualTo(1);
    assertThat(status.failures()).isZero();
    await().until(() -> tracker.spoolStatus().oldestAge().toMillis() > 0);
  }

  @Test
  void withoutASpoolTheTrackerHasNoSpoolStatusAndRecoversNothing() {
    server.stubFor(post(urlEqualTo("/ingest")).willReturn(ok()));
    HttpBatchTracker tracker =
        HttpBatchTracker.create(Sink.testConfig("http://localhost:" + server.getPort() + "/ingest").build());
    trackers.add(tracker);
    tracker.emit(TestEvents.numbered(1));
    assertThat(tracker.flush(Duration.ofSeconds(5))).isTrue();
    assertThat(tracker.spoolStatus()).isNull();
    assertThat(tracker.stats().recovered()).isZero();
  }
}
