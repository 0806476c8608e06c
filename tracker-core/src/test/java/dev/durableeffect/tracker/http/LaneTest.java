package dev.durableeffect.tracker.http;

import static dev.durableeffect.tracker.http.Sink.assertAccounted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.durableeffect.tracker.DropReason;
import dev.durableeffect.tracker.TestEvents;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The HTTP lane at the edges the other tests do not reach: a request in flight when shutdown begins,
 * a retry that would fall after the shutdown deadline, what a send report and the INFO lines say.
 */
class LaneTest {

  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger("dev.durableeffect.tracker");
  private HeldEndpoint endpoint;

  @BeforeEach
  void startEndpointAndCaptureLogs() throws Exception {
    endpoint = new HeldEndpoint();
    logs.start();
    logger.addAppender(logs);
  }

  @AfterEach
  void stop() {
    logger.detachAppender(logs);
    endpoint.close();
  }

  private HttpBatchTracker tracker(Consumer<HttpBatchTrackerConfig.Builder> settings) {
    HttpBatchTrackerConfig.Builder builder = Sink.testConfig(endpoint.endpoint()).batchSize(2).maxBatchSize(2);
    settings.accept(builder);
    return HttpBatchTracker.create(builder.build());
  }

  private List<String> messages() {
    synchronized (logs.list) {
      return logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
  }

  private static void emit(HttpBatchTracker tracker, int count) {
    for (int i = 0; i < count; i++) {
      tracker.emit(TestEvents.numbered(i));
    }
  }

  /** Runs {@code close()} on another thread and returns once that thread waits for the sender. */
  private static CompletableFuture<Void> closeInBackground(HttpBatchTracker tracker) {
    CompletableFuture<Void> closed = new CompletableFuture<>();
    Thread closer =
        new Thread(
            () -> {
              tracker.close();
              closed.complete(null);
            },
            "lane-test-closer");
    closer.start();
    // close() blocks nowhere before it joins the sender, after it has told the sender to close.
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> closer.getState() == Thread.State.TIMED_WAITING || closed.isDone());
    return closed;
  }

  @Test
  void shutdownWaitsForTheRequestInFlightUntilItsDeadline() {
    endpoint.hold();
    HttpBatchTracker tracker = tracker(b -> b.shutdownTimeout(Duration.ofSeconds(2)));
    emit(tracker, 2);
    await().atMost(Duration.ofSeconds(20)).until(() -> endpoint.requests().size() == 1);

    tracker.close();

    assertThat(tracker.stats().dropped(DropReason.CLOSED)).isEqualTo(2);
    // The sender held the request to the deadline, not the final count after it had stopped.
    assertThat(messages()).contains("durable-tracker: dropped 2 events (CLOSED): shutdown timeout reached");
    assertThat(messages()).noneMatch(m -> m.contains("still waiting when shutdown ended"));
    assertAccounted(tracker);
  }

  @Test
  void shutdownDeliversTheRequestInFlightWhenItIsAnswered() throws Exception {
    endpoint.hold();
    HttpBatchTracker tracker = tracker(b -> b.shutdownTimeout(Duration.ofSeconds(30)));
    emit(tracker, 2);
    await().atMost(Duration.ofSeconds(20)).until(() -> endpoint.requests().size() == 1);

    CompletableFuture<Void> closed = closeInBackground(tracker);
    endpoint.release();

    closed.get(30, TimeUnit.SECONDS);
    assertThat(tracker.stats().delivered()).isEqualTo(2);
    assertThat(tracker.stats().dropped()).isZero();
  }

  @Test
  void aRetryThatWouldFallAfterTheShutdownDeadlineIsGivenUpAtOnce() throws Exception {
    endpoint.answer(503).retryAfter("60").hold();
    HttpBatchTracker tracker = tracker(b -> b.shutdownTimeout(Duration.ofSeconds(3)));
    emit(tracker, 2);
    await().atMost(Duration.ofSeconds(20)).until(() -> endpoint.requests().size() == 1);

    CompletableFuture<Void> closed = closeInBackground(tracker);
    endpoint.release();

    closed.get(30, TimeUnit.SECONDS);
    assertThat(endpoint.requests()).hasSize(1);
    assertThat(tracker.stats().dropped(DropReason.CLOSED)).isEqualTo(2);
    assertThat(messages())
        .contains("durable-tracker: dropped 2 events (CLOSED): shutdown timeout reached while waiting to retry");
    assertAccounted(tracker);
  }

  @Test
  void aSendReportTimesTheRequestWithinTheTimeTheTestSawPass() {
    HttpBatchTracker tracker = tracker(b -> {});
    record Seen(SendReport report, long atNanos) {}
    List<Seen> seen = new CopyOnWriteArrayList<>();
    tracker.addSendListener(report -> seen.add(new Seen(report, System.nanoTime())));
    long before = System.nanoTime();

    emit(tracker, 2);

    await().atMost(Duration.ofSeconds(20)).until(() -> seen.size() == 1);
    Seen only = seen.get(0);
    assertThat(only.report().status()).isEqualTo(200);
    assertThat(only.report().outcome()).isEqualTo(SendOutcome.SUCCESS);
    assertThat(only.report().events()).isEqualTo(2);
    assertThat(only.report().duration()).isBetween(Duration.ZERO, Duration.ofNanos(only.atNanos() - before));
    tracker.close();
  }

  @Test
  void aSplitAndARetryAreEachLoggedOnceAtInfo() {
    endpoint.answer(413, 503);
    HttpBatchTracker tracker = tracker(b -> {});
    emit(tracker, 2);

    assertThat(tracker.flush(Duration.ofSeconds(20))).isTrue();

    assertThat(tracker.stats().delivered()).isEqualTo(2);
    assertThat(messages()).contains("durable-tracker: endpoint answered 413; splitting batches in halves");
    assertThat(messages()).anyMatch(m -> m.matches("durable-tracker: .*503.* from .*; retrying in \\d+ ms"));
    tracker.close();
  }
}
