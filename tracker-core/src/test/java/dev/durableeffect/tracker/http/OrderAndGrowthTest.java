package dev.durableeffect.tracker.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.durableeffect.tracker.DropReason;
import dev.durableeffect.tracker.event.WireEvent;
import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.event.WorkflowEvents;
import dev.durableeffect.tracker.json.EventJson;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Ordering and batch growth against a real loopback endpoint that answers slowly and fails some
 * requests: events of one workflow arrive in emit order whatever the retries, one request is in
 * flight at a time, and batches grow while events back up behind it.
 */
class OrderAndGrowthTest {

  private HttpServer server;
  private final List<List<WireEvent>> accepted = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger mostInFlight = new AtomicInteger();
  private volatile int failEvery = 0;
  private volatile long delayNanos = 0;

  @BeforeEach
  void startEndpoint() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.createContext(
        "/ingest",
        exchange -> {
          int now = inFlight.incrementAndGet();
          mostInFlight.accumulateAndGet(now, Math::max);
          int status = 500;
          try {
            byte[] body = exchange.getRequestBody().readAllBytes();
            int n = requests.incrementAndGet();
            if (delayNanos > 0) {
              LockSupport.parkNanos(delayNanos);
            }
            status = failEvery > 0 && n % failEvery == 0 ? 503 : 200;
            if (status == 200) {
              accepted.add(EventJson.fromBatchJson(body));
            }
          } finally {
            // Out of flight before the answer leaves: the client may send its next request as soon
            // as it has the answer, while this thread has not run on yet.
            inFlight.decrementAndGet();
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
          }
        });
    server.start();
  }

  @AfterEach
  void stopEndpoint() {
    server.stop(0);
  }

  private HttpBatchTracker tracker(int batchSize, int maxBatchSize) {
    return HttpBatchTracker.create(
        HttpBatchTrackerConfig.builder()
            .endpoint("http://127.0.0.1:" + server.getAddress().getPort() + "/ingest")
            .env("test")
            .serviceKey("orders")
            .compression(Compression.NONE)
            .batchSize(batchSize)
            .maxBatchSize(maxBatchSize)
            .flushInterval(Duration.ofMillis(50))
            .maxAttempts(10)
            .initialDelay(Duration.ofMillis(5))
            .maxDelay(Duration.ofMillis(20))
            .maxQueueSize(100_000)
            .build());
  }

  @Test
  void eventsOfEachWorkflowArriveInEmitOrderThroughRetriesFromFourThreads() throws Exception {
    failEvery = 3;
    delayNanos = Duration.ofMillis(2).toNanos();
    HttpBatchTracker tracker = tracker(25, 400);
    int threads = 4;
    int workflowsPerThread = 25;
    int eventsPerWorkflow = 40;
    Map<String, List<String>> emitted = new ConcurrentHashMap<>();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> producers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      Thread producer =
          new Thread(
              () -> {
                try {
                  start.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return;
                }
                // Interleave this thread's workflows, each in its own order.
                for (int i = 0; i < eventsPerWorkflow; i++) {
                  for (int w = 0; w < workflowsPerThread; w++) {
                    String workflowId = "wf-" + thread + "-" + w;
                    WorkflowEvent event =
                        new WorkflowEvent.StepStarted(
                            WorkflowEvents.createBaseEvent(workflowId, "ordered", "exec"), "step-" + i, 1);
                    emitted.computeIfAbsent(workflowId, k -> new ArrayList<>()).add(event.base().eventId());
                    tracker.emit(event);
                  }
                }
              });
      producers.add(producer);
      producer.start();
    }
    start.countDown();
    for (Thread producer : producers) {
      producer.join();
    }

    assertThat(tracker.flush(Duration.ofSeconds(60))).isTrue();
    tracker.close();

    int total = threads * workflowsPerThread * eventsPerWorkflow;
    assertThat(tracker.stats().delivered()).isEqualTo(total);
    assertThat(tracker.stats().dropped()).isZero();
    assertThat(mostInFlight.get()).as("requests in flight at once").isEqualTo(1);
    assertThat(requests.get()).as("some requests failed and were retried").isGreaterThan(accepted.size());
    Map<String, Set<String>> arrived = new HashMap<>();
    synchronized (accepted) {
      for (List<WireEvent> batch : accepted) {
        for (WireEvent event : batch) {
          arrived
              .computeIfAbsent(event.event().base().workflowId(), k -> new LinkedHashSet<>())
              .add(event.event().base().eventId());
        }
      }
    }
    assertThat(arrived.keySet()).isEqualTo(emitted.keySet());
    emitted.forEach(
        (workflowId, ids) ->
            assertThat(new ArrayList<>(arrived.get(workflowId)))
                .as("arrival order of %s", workflowId)
                .containsExactlyElementsOf(ids));
  }

  @Test
  void batchesGrowUpToMaxBatchSizeWhileEventsBackUpBehindASlowRequest() {
    delayNanos = Duration.ofMillis(100).toNanos();
    HttpBatchTracker tracker = tracker(10, 200);

    for (int i = 0; i < 1_000; i++) {
      tracker.emit(
          new WorkflowEvent.StepStarted(WorkflowEvents.createBaseEvent("wf-" + (i % 7), "grow", "exec"), "s", 1));
    }

    assertThat(tracker.flush(Duration.ofSeconds(30))).isTrue();
    tracker.close();
    List<Integer> sizes;
    synchronized (accepted) {
      sizes = accepted.stream().map(List::size).toList();
    }
    assertThat(tracker.stats().delivered()).isEqualTo(1_000);
    assertThat(tracker.stats().dropped(DropReason.QUEUE_FULL)).isZero();
    assertThat(sizes).allSatisfy(size -> assertThat(size).isLessThanOrEqualTo(200));
    assertThat(sizes).as("batches grew while events waited").anySatisfy(size -> assertThat(size).isGreaterThan(10));
    // 1,000 events at 10 a request would take 100 requests of 100 ms each.
    assertThat(requests.get()).isLessThan(20);
  }

  @Test
  void withMaxBatchSizeAtBatchSizeEveryRequestKeepsThatSize() {
    delayNanos = Duration.ofMillis(20).toNanos();
    HttpBatchTracker tracker = tracker(10, 10);

    for (int i = 0; i < 200; i++) {
      tracker.emit(new WorkflowEvent.StepStarted(WorkflowEvents.createBaseEvent("wf", "fixed", "exec"), "s", 1));
    }

    assertThat(tracker.flush(Duration.ofSeconds(30))).isTrue();
    tracker.close();
    synchronized (accepted) {
      assertThat(accepted).hasSize(20).allSatisfy(batch -> assertThat(batch).hasSize(10));
    }
  }
}
