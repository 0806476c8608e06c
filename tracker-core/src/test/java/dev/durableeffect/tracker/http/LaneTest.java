package dev.durableeffect.tracker.http;

import static dev.durableeffect.tracker.http.Sink.assertAccounted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.durableeffect.tracker.DropReason;
import dev.durableeffect.tracker.TestEvents;
import dev.durableeffect.tracker.spool.SpoolConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The HTTP lane at the edges the other tests do not reach: a request in flight when shutdown begins,
 * a retry that would fall after the shutdown deadline (or before it), a retry already waiting when
 * shutdown begins, what a send report, the health status and the INFO lines say, and that the
 * sender thread sleeps while a request or a retry is pending.
 */
class LaneTest {

  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger("dev.durableeffect.tracker");
  private HeldEndpoint endpoint;
  @TempDir Path spoolDirectory;

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

  private static Set<Thread> threadsNamed(String prefix) {
    Set<Thread> threads = new HashSet<>();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (thread.getName().startsWith(prefix) && thread.isAlive()) {
        threads.add(thread);
      }
    }
    return threads;
  }

  /** Creates a tracker and returns it with the sender thread it started. */
  private record Started(HttpBatchTracker tracker, Thread sender) {}

  private Started started(Consumer<HttpBatchTrackerConfig.Builder> settings) {
    Set<Thread> before = threadsNamed("durable-tracker-sender-");
    HttpBatchTracker tracker = tracker(settings);
    Set<Thread> after = threadsNamed("durable-tracker-sender-");
    after.removeAll(before);
    assertThat(after).hasSize(1);
    return new Started(tracker, after.iterator().next());
  }

  /** A parked thread uses almost no CPU; one whose waits return at once burns a whole core. */
  private static void assertParks(Thread sender) {
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    long start = cpu.getThreadCpuTime(sender.getId());
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3))
        .until(() -> cpu.getThreadCpuTime(sender.getId()) - start < Duration.ofMillis(300).toNanos());
  }

  @Test
  void theSenderThreadSleepsWhileARequestIsInFlight() {
    endpoint.hold();
    Started started = started(b -> b.shutdownTimeout(Duration.ofSeconds(1)));
    emit(started.tracker(), 2);
    await().atMost(Duration.ofSeconds(20)).until(() -> endpoint.requests().size() == 1);

    assertParks(started.sender());

    endpoint.releaseAll();
    assertThat(started.tracker().flush(Duration.ofSeconds(20))).isTrue();
    started.tracker().close();
  }

  @Test
  void theSenderThreadSleepsWhileARetryIsPending() {
    endpoint.answer(503).retryAfter("60");
    Started started = started(b -> b.shutdownTimeout(Duration.ofMillis(500)));
    emit(started.tracker(), 2);
    await().atMost(Duration.ofSeconds(20)).until(() -> started.tracker().deliveryStatus().consecutiveFailures() == 1);

    assertParks(started.sender());

    started.tracker().close();
    assertThat(endpoint.requests()).hasSize(1);
  }

  @Test
  void aRetryThatFitsBeforeTheShutdownDeadlineIsMadeDuringShutdown() throws Exception {
    endpoint.answer(503).retryAfter("0").hold();
    HttpBatchTracker tracker = tracker(b -> b.shutdownTimeout(Duration.ofSeconds(30)));
    emit(tracker, 2);
    await().atMost(Duration.ofSeconds(20)).until(() -> endpoint.requests().size() == 1);

    CompletableFuture<Void> closed = closeInBackground(tracker);
    endpoint.release();
    await().atMost(Duration.ofSeconds(20)).until(() -> endpoint.requests().size() == 2);
    endpoint.release();

    closed.get(30, TimeUnit.SECONDS);
    assertThat(tracker.stats().delivered()).isEqualTo(2);
    assertThat(tracker.stats().dropped()).isZero();
    assertThat(endpoint.requests().get(1).idempotencyKey()).isEqualTo(endpoint.requests().get(0).idempotencyKey());
  }

  @Test
  void aRetryAlreadyWaitingWhenShutdownBeginsIsDroppedAtTheDeadline() throws Exception {
    endpoint.answer(503).retryAfter("60");
    HttpBatchTracker tracker = tracker(b -> b.shutdownTimeout(Duration.ofMillis(500)));
    emit(tracker, 2);
    await().atMost(Duration.ofSeconds(20)).until(() -> tracker.deliveryStatus().consecutiveFailures() == 1);

    tracker.close();

    assertThat(endpoint.requests()).hasSize(1);
    assertThat(tracker.stats().dropped(DropReason.CLOSED)).isEqualTo(2);
    // Dropped by the sender at its deadline, not counted by close() after the sender failed to stop.
    assertThat(messages()).contains("durable-tracker: dropped 2 events (CLOSED): shutdown timeout reached");
    assertThat(messages()).noneMatch(m -> m.contains("still waiting when shutdown ended") || m.contains("sender failed"));
    assertAccounted(tracker);
  }

  @Test
  void withASpoolARetryThatWouldFallAfterTheShutdownDeadlineLeavesTheBatchInTheSpool() throws Exception {
    endpoint.answer(503).retryAfter("60").hold();
    HttpBatchTracker tracker =
        tracker(b -> b.shutdownTimeout(Duration.ofSeconds(3)).spool(SpoolConfig.builder(spoolDirectory).build()));
    emit(tracker, 2);
    await().atMost(Duration.ofSeconds(20)).until(() -> endpoint.requests().size() == 1);

    CompletableFuture<Void> closed = closeInBackground(tracker);
    endpoint.release();

    closed.get(30, TimeUnit.SECONDS);
    assertThat(endpoint.requests()).hasSize(1);
    assertThat(tracker.stats().dropped()).as("nothing dropped: %s", tracker.stats()).isZero();
    assertThat(tracker.stats().pending()).as("kept in the spool").isEqualTo(2);
    assertAccounted(tracker);
  }

  @Test
  void aSuccessAfterAFailureResetsTheHealthStatus() {
    endpoint.answer(503);
    HttpBatchTracker tracker = tracker(b -> {});
    emit(tracker, 2);

    assertThat(tracker.flush(Duration.ofSeconds(20))).isTrue();

    DeliveryStatus status = tracker.deliveryStatus();
    assertThat(status.consecutiveFailures()).isZero();
    assertThat(status.lastSuccess()).isNotNull();
    assertThat(status.lastFailure()).isNotNull().isBeforeOrEqualTo(status.lastSuccess());
    tracker.close();
  }

  @Test
  void closingTheTrackerStopsItsRequestThreads() {
    Set<Thread> before = threadsNamed("durable-tracker-http-");
    HttpBatchTracker tracker = tracker(b -> {});
    emit(tracker, 2);
    assertThat(tracker.flush(Duration.ofSeconds(20))).isTrue();
    Set<Thread> used = threadsNamed("durable-tracker-http-");
    used.removeAll(before);
    assertThat(used).as("the request ran on a thread of the tracker").isNotEmpty();

    tracker.close();

    // An idle request thread would otherwise linger for a minute after close.
    await().atMost(Duration.ofSeconds(10)).until(() -> used.stream().noneMatch(Thread::isAlive));
  }
}
