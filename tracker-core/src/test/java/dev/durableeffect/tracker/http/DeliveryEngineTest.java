package dev.durableeffect.tracker.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.status;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.durableeffect.tracker.http.Sink.assertAccounted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.durableeffect.tracker.DropReason;
import dev.durableeffect.tracker.TestEvents;
import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.event.WorkflowEvents;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * The delivery engine's promises under what real applications throw at it: inputs whose getters
 * throw errors, inputs too large to write, flushes racing drops, close from interrupted threads or
 * racing emits, an interrupted sender, requests that cannot succeed. Each test failed against the
 * engine before these guarantees were built.
 */
class DeliveryEngineTest {

  @RegisterExtension
  static WireMockExtension server =
      WireMockExtension.newInstance().options(wireMockConfig().dynamicPort().dynamicHttpsPort()).build();

  private final List<HttpBatchTracker> trackers = new ArrayList<>();
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger("dev.durableeffect.tracker");

  @BeforeEach
  void healthyEndpointAndLogCapture() {
    server.stubFor(post(urlEqualTo("/ingest")).willReturn(ok()));
    logs.start();
    logger.addAppender(logs);
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
    HttpBatchTrackerConfig.Builder builder = Sink.testConfig("http://localhost:" + server.getPort() + "/ingest");
    settings.accept(builder);
    HttpBatchTracker tracker = HttpBatchTracker.create(builder.build());
    trackers.add(tracker);
    return tracker;
  }

  /** An input whose getter throws what {@code error} makes, as application code can. */
  public static final class Hostile {
    private final Supplier<Throwable> error;

    Hostile(Supplier<Throwable> error) {
      this.error = error;
    }

    public String getValue() throws Throwable {
      throw error.get();
    }
  }

  private static WorkflowEvent withInput(Object input) {
    return new WorkflowEvent.WorkflowStarted(WorkflowEvents.createBaseEvent("wf-input", "test", "exec"), input);
  }

  private static List<String> messages(ListAppender<ILoggingEvent> logs) {
    return logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  @Test
  void inputsThrowingErrorsAreDroppedAloneAndTheirNeighboursAreDelivered() {
    HttpBatchTracker tracker = tracker(b -> b.batchSize(200));
    for (int i = 0; i < 50; i++) {
      tracker.emit(TestEvents.numbered(i));
    }
    tracker.emit(withInput(new Hostile(() -> new AssertionError("getter asserted"))));
    tracker.emit(withInput(new Hostile(() -> new OutOfMemoryError("simulated"))));
    tracker.emit(withInput(new Hostile(() -> new NoClassDefFoundError("com/example/Missing"))));
    tracker.emit(withInput(new Hostile(() -> new ExceptionInInitializerError("static init"))));
    for (int i = 50; i < 100; i++) {
      tracker.emit(TestEvents.numbered(i));
    }

    assertThat(tracker.flush(Duration.ofSeconds(10))).isTrue();

    assertThat(tracker.stats().delivered()).isEqualTo(100);
    assertThat(tracker.stats().dropped(DropReason.NOT_SERIALIZABLE)).isEqualTo(4);
    assertThat(Sink.received(server)).hasSize(100);
    assertThat(tracker.pending()).isZero();
    assertAccounted(tracker);
    // The loop goes on: later events and flushes work as before.
    tracker.emit(TestEvents.numbered(100));
    assertThat(tracker.flush(Duration.ofSeconds(10))).isTrue();
    assertThat(tracker.stats().delivered()).isEqualTo(101);
  }

  @Test
  void anInputTooLargeToWriteStopsAtMaxEventBytesAndItsNeighboursGoOn() {
    String chunk = "x".repeat(1000);
    // About 50 GB of JSON if written in full.
    List<String> enormous =
        new AbstractList<>() {
          @Override
          public String get(int index) {
            return chunk;
          }

          @Override
          public int size() {
            return 50_000_000;
          }
        };
    HttpBatchTracker tracker = tracker(b -> b.batchSize(3).maxEventBytes(64 * 1024));

    tracker.emit(TestEvents.numbered(1));
    tracker.emit(withInput(enormous));
    tracker.emit(TestEvents.numbered(2));

    assertThat(tracker.flush(Duration.ofSeconds(10))).isTrue();
    assertThat(tracker.stats().dropped(DropReason.TOO_LARGE)).isEqualTo(1);
    assertThat(tracker.stats().delivered()).isEqualTo(2);
    assertThat(messages(logs)).anySatisfy(m -> assertThat(m).contains("TOO_LARGE", "over maxEventBytes 65536"));
  }

  @Test
  void aFlushIsNotCompletedByALaterEventDroppedWhileARequestIsInFlight() {
    server.stubFor(post(urlEqualTo("/ingest")).willReturn(ok().withFixedDelay(2_000)));
    HttpBatchTracker tracker = tracker(b -> b.batchSize(1).requestTimeout(Duration.ofSeconds(10)));
    tracker.emit(TestEvents.numbered(1));
    await().until(() -> tracker.queueSize() == 0 && tracker.pending() == 1);

    CompletableFuture<Void> flush = tracker.flush();
    tracker.emit(withInput(new Hostile(() -> new IllegalStateException("bad getter"))));

    await().until(() -> tracker.stats().dropped(DropReason.NOT_SERIALIZABLE) == 1);
    assertThat(flush).isNotDone();
    await().atMost(Duration.ofSeconds(10)).until(flush::isDone);
    assertThat(tracker.stats().delivered()).isEqualTo(1);
  }

  @Test
  void closeFromAnInterruptedThreadDrainsAndRestoresTheInterrupt() {
    HttpBatchTracker tracker = tracker(b -> b.batchSize(100));
    for (int i = 0; i < 1_000; i++) {
      tracker.emit(TestEvents.numbered(i));
    }

    Thread.currentThread().interrupt();
    tracker.close();

    assertThat(Thread.interrupted()).as("interrupt flag restored").isTrue();
    assertThat(tracker.stats().delivered()).isEqualTo(1_000);
    assertThat(tracker.stats().dropped(DropReason.CLOSED)).isZero();
  }

  @Test
  void anInterruptedSenderThreadDoesNotSpinAndKeepsDelivering() {
    Set<Thread> before = senderThreads();
    HttpBatchTracker tracker = tracker(b -> b.batchSize(100));
    Set<Thread> after = senderThreads();
    after.removeAll(before);
    assertThat(after).hasSize(1);
    Thread sender = after.iterator().next();
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();

    sender.interrupt();
    long start = cpu.getThreadCpuTime(sender.getId());

    // A parked thread uses almost no CPU; one whose parks return at once burns a whole core.
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3))
        .until(() -> cpu.getThreadCpuTime(sender.getId()) - start < Duration.ofMillis(300).toNanos());
    tracker.emit(TestEvents.numbered(1));
    assertThat(tracker.flush(Duration.ofSeconds(5))).isTrue();
    assertThat(tracker.stats().delivered()).isEqualTo(1);
    assertThat(messages(logs)).anySatisfy(m -> assertThat(m).contains("sender thread was interrupted"));
  }

  private static Set<Thread> senderThreads() {
    Set<Thread> threads = new HashSet<>();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (thread.getName().startsWith("durable-tracker-sender-") && thread.isAlive()) {
        threads.add(thread);
      }
    }
    return threads;
  }

  @Test
  void anEventArrivingWhileARequestIsInFlightIsSentAsSoonAsTheLaneIsFree() {
    server.stubFor(post(urlEqualTo("/ingest")).inScenario("slow").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(ok().withFixedDelay(3_000)).willSetStateTo("fast"));
    server.stubFor(post(urlEqualTo("/ingest")).inScenario("slow").whenScenarioStateIs("fast").willReturn(ok()));
    HttpBatchTracker tracker =
        tracker(b -> b.batchSize(100).flushInterval(Duration.ofSeconds(2)).requestTimeout(Duration.ofSeconds(10)));
    tracker.emit(TestEvents.numbered(1));
    tracker.flush();
    await().until(() -> tracker.queueSize() == 0 && tracker.pending() == 1);

    long emitted = System.nanoTime();
    tracker.emit(TestEvents.numbered(2));
    await().atMost(Duration.ofSeconds(10)).until(() -> tracker.stats().delivered() == 2);

    // The first request answers within 3 s; the second event is then already due (2 s old). Waiting
    // for it to be noticed only after the first request would take 3 s + 2 s.
    assertThat(Duration.ofNanos(System.nanoTime() - emitted)).isLessThan(Duration.ofMillis(4_200));
  }

  @Test
  void queueFullIsReportedWhileABatchWaitsToBeRetried() {
    server.stubFor(post(urlEqualTo("/ingest")).willReturn(status(503).withHeader("Retry-After", "60")));
    HttpBatchTracker tracker =
        tracker(b -> b.batchSize(10).maxQueueSize(20).shutdownTimeout(Duration.ofMillis(500)));
    for (int i = 0; i < 10; i++) {
      tracker.emit(TestEvents.numbered(i));
    }
    await().until(() -> !server.findAll(postRequestedFor(urlEqualTo("/ingest"))).isEmpty());

    for (int i = 0; i < 100; i++) {
      tracker.emit(TestEvents.numbered(i));
    }

    await().atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(messages(logs)).anySatisfy(m -> assertThat(m).contains("(QUEUE_FULL)")));
    assertThat(tracker.pending()).isLessThanOrEqualTo(20 + 2 * 10);
  }

  @Test
  void pendingNeverExceedsTheQueuePlusTwoBatchesWhileTheEndpointHangs() {
    server.stubFor(post(urlEqualTo("/ingest")).willReturn(ok().withFixedDelay(10_000)));
    HttpBatchTracker tracker =
        tracker(b -> b.batchSize(10).maxQueueSize(100).requestTimeout(Duration.ofSeconds(30)).shutdownTimeout(Duration.ofMillis(200)));
    long maxPending = 0;

    for (int i = 0; i < 2_000; i++) {
      tracker.emit(TestEvents.numbered(i));
      maxPending = Math.max(maxPending, tracker.pending());
    }

    assertThat(maxPending).isLessThanOrEqualTo(100 + 2 * 10);
    assertThat(tracker.stats().dropped(DropReason.QUEUE_FULL)).isGreaterThanOrEqualTo(2_000 - 120);
  }

  @Test
  void emitsRacingCloseAreAllAccountedFor() throws Exception {
    for (int round = 0; round < 5; round++) {
      HttpBatchTracker tracker =
          tracker(b -> b.batchSize(50).maxQueueSize(2_000).shutdownTimeout(Duration.ofSeconds(2)));
      AtomicBoolean stop = new AtomicBoolean();
      CountDownLatch started = new CountDownLatch(4);
      List<Thread> producers = new ArrayList<>();
      AtomicLong calls = new AtomicLong();
      for (int t = 0; t < 4; t++) {
        Thread producer =
            new Thread(
                () -> {
                  started.countDown();
                  int i = 0;
                  while (!stop.get()) {
                    tracker.emit(TestEvents.numbered(i++));
                    calls.incrementAndGet();
                    Thread.yield();
                  }
                });
        producers.add(producer);
        producer.start();
      }
      started.await();
      await().until(() -> calls.get() > 2_000);

      tracker.close();
      long closedAt = calls.get();
      await().until(() -> calls.get() > closedAt + 1_000);
      stop.set(true);
      for (Thread producer : producers) {
        producer.join();
      }

      assertThat(tracker.stats().emitted()).isEqualTo(calls.get());
      assertThat(tracker.pending()).isZero();
      assertAccounted(tracker);
    }
  }

  @Test
  void credentialsInTheEndpointAreSentAsBasicAuthorization() {
    HttpBatchTracker tracker =
        tracker(b -> b.endpoint("http://alice:s3cret@localhost:" + server.getPort() + "/ingest").batchSize(1));

    tracker.emit(TestEvents.numbered(1));

    assertThat(tracker.flush(Duration.ofSeconds(5))).isTrue();
    server.verify(
        postRequestedFor(urlEqualTo("/ingest"))
            .withHeader("Authorization", equalTo("Basic YWxpY2U6czNjcmV0")));
    assertThat(tracker.stats().delivered()).isEqualTo(1);
    assertThat(messages(logs)).noneSatisfy(m -> assertThat(m).contains("s3cret"));
  }

  @Test
  void anUntrustedCertificateIsAConfigurationErrorLoggedOnceAndNotRetried() {
    HttpBatchTracker tracker =
        tracker(b -> b.endpoint("https://localhost:" + server.getHttpsPort() + "/ingest").batchSize(5).maxAttempts(4));

    for (int i = 0; i < 10; i++) {
      tracker.emit(TestEvents.numbered(i));
    }

    assertThat(tracker.flush(Duration.ofSeconds(10))).isTrue();
    assertThat(tracker.stats().dropped(DropReason.REJECTED)).isEqualTo(10);
    assertThat(tracker.stats().dropped(DropReason.RETRIES_EXHAUSTED)).isZero();
    assertThat(tracker.deliveryStatus().lastFailureReason()).startsWith("TLS handshake failed");
    assertThat(messages(logs).stream().filter(m -> m.contains("not retried")).toList())
        .singleElement()
        .satisfies(m -> assertThat(m).contains("TLS handshake failed", "https://localhost:" + server.getHttpsPort() + "/ingest"));
    assertThat(messages(logs)).noneSatisfy(m -> assertThat(m).contains("retrying"));
  }

  @Test
  void maxAttemptsCountsEveryRequestTheFirstIncluded() {
    server.stubFor(post(urlEqualTo("/ingest")).willReturn(aResponse().withStatus(503)));
    HttpBatchTracker tracker = tracker(b -> b.batchSize(2).maxAttempts(4));

    tracker.emit(TestEvents.numbered(1));
    tracker.emit(TestEvents.numbered(2));

    await().until(() -> tracker.stats().dropped(DropReason.RETRIES_EXHAUSTED) == 2);
    assertThat(server.findAll(postRequestedFor(urlEqualTo("/ingest")))).hasSize(4);
    assertThat(messages(logs)).anySatisfy(m -> assertThat(m).contains("4 attempts failed"));
  }
}
