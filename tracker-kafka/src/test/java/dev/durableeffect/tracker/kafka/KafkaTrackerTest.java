package dev.durableeffect.tracker.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.durableeffect.tracker.DropReason;
import dev.durableeffect.tracker.TrackerStats;
import dev.durableeffect.tracker.event.BaseEvent;
import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.event.WorkflowEvents;
import dev.durableeffect.tracker.spool.SpoolConfig;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Kafka tracker against a real broker in this JVM. */
class KafkaTrackerTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static TestBroker broker;

  @BeforeAll
  static void startBroker() {
    broker = TestBroker.start();
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  private static KafkaTrackerConfig.Builder config(String topic) {
    return KafkaTrackerConfig.builder()
        .bootstrapServers(broker.bootstrapServers())
        .topic(topic)
        .env("test")
        .serviceKey("orders");
  }

  /** An event whose step name carries its place in the workflow's sequence. */
  private static WorkflowEvent step(String workflowId, int n) {
    BaseEvent base = WorkflowEvents.createBaseEvent(workflowId, "processOrder", "exec-" + workflowId);
    return new WorkflowEvent.StepStarted(base, String.format("step-%05d", n), 1);
  }

  private static JsonNode parse(byte[] value) {
    try {
      return JSON.readTree(value);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    assertThat(header).as("header %s", name).isNotNull();
    return new String(header.value(), StandardCharsets.UTF_8);
  }

  /** Step numbers per workflow in the order the topic holds them, first occurrences only (receivers deduplicate by eventId). */
  private static Map<String, List<Integer>> sequences(List<ConsumerRecord<byte[], byte[]>> records) {
    Map<String, List<Integer>> byWorkflow = new LinkedHashMap<>();
    Set<String> seen = new LinkedHashSet<>();
    for (ConsumerRecord<byte[], byte[]> record : records) {
      JsonNode event = parse(record.value());
      if (!seen.add(event.get("eventId").asText())) {
        continue;
      }
      String step = event.get("stepName").asText();
      byWorkflow
          .computeIfAbsent(event.get("workflowId").asText(), k -> new ArrayList<>())
          .add(Integer.parseInt(step.substring("step-".length())));
    }
    return byWorkflow;
  }

  private static void assertInOrder(Map<String, List<Integer>> sequences, int workflows, int perWorkflow) {
    assertThat(sequences).hasSize(workflows);
    List<Integer> expected = new ArrayList<>();
    for (int n = 0; n < perWorkflow; n++) {
      expected.add(n);
    }
    sequences.forEach((workflow, steps) -> assertThat(steps).as("events of %s in emit order", workflow).isEqualTo(expected));
  }

  @Test
  void eventsOfManyThreadsArriveOnePerRecordKeyedByWorkflowInEmitOrder() throws Exception {
    String topic = broker.newTopic();
    int threads = 8;
    int workflowsPerThread = 25;
    int perWorkflow = 20;
    try (KafkaTracker tracker = KafkaTracker.create(config(topic).build())) {
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> emitters = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        Thread emitter =
            new Thread(
                () -> {
                  try {
                    start.await();
                  } catch (InterruptedException e) {
                    return;
                  }
                  // Interleave this thread's workflows, each in its own order.
                  for (int n = 0; n < perWorkflow; n++) {
                    for (int w = 0; w < workflowsPerThread; w++) {
                      tracker.emit(step("wf-" + thread + "-" + w, n));
                    }
                  }
                });
        emitter.start();
        emitters.add(emitter);
      }
      start.countDown();
      for (Thread emitter : emitters) {
        emitter.join();
      }
      assertThat(tracker.flush(Duration.ofSeconds(30))).isTrue();
      int total = threads * workflowsPerThread * perWorkflow;
      TrackerStats stats = tracker.stats();
      assertThat(stats.emitted()).isEqualTo(total);
      assertThat(stats.delivered()).isEqualTo(total);
      assertThat(stats.dropped()).isZero();
      assertThat(stats.pending()).isZero();

      List<ConsumerRecord<byte[], byte[]>> records = broker.read(topic, total, Duration.ofSeconds(30));
      assertThat(records).hasSize(total);
      Map<String, Integer> partitionOf = new LinkedHashMap<>();
      for (ConsumerRecord<byte[], byte[]> record : records) {
        JsonNode event = parse(record.value());
        String workflowId = event.get("workflowId").asText();
        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo(workflowId);
        assertThat(header(record, "eventId")).isEqualTo(event.get("eventId").asText());
        assertThat(header(record, "type")).isEqualTo("step.started").isEqualTo(event.get("type").asText());
        assertThat(header(record, "content-type")).isEqualTo("application/json");
        assertThat(event.get("env").asText()).isEqualTo("test");
        assertThat(event.get("serviceKey").asText()).isEqualTo("orders");
        assertThat(partitionOf.computeIfAbsent(workflowId, k -> record.partition()))
            .as("every record of %s in one partition", workflowId)
            .isEqualTo(record.partition());
      }
      assertThat(new LinkedHashSet<>(partitionOf.values())).as("workflows spread over partitions").hasSizeGreaterThan(1);
      assertInOrder(sequences(records), threads * workflowsPerThread, perWorkflow);
    }
  }

  @Test
  void recordOverTheBrokersSizeLimitIsDroppedAsTooLargeAndItsNeighboursArrive() {
    String topic = broker.newTopic(Map.of("max.message.bytes", "4096"));
    byte[] noise = new byte[12_000];
    new Random(7).nextBytes(noise);
    // Random text: compression cannot bring it under the topic's limit.
    String incompressible = Base64.getEncoder().encodeToString(noise);
    try (KafkaTracker tracker = KafkaTracker.create(config(topic).build())) {
      tracker.emit(step("wf-small", 0));
      tracker.emit(
          new WorkflowEvent.WorkflowStarted(
              WorkflowEvents.createBaseEvent("wf-large", "processOrder", null), Map.of("blob", incompressible)));
      tracker.emit(step("wf-small", 1));
      assertThat(tracker.flush(Duration.ofSeconds(30))).isTrue();
      TrackerStats stats = tracker.stats();
      assertThat(stats.dropped(DropReason.TOO_LARGE)).isEqualTo(1);
      assertThat(stats.delivered()).isEqualTo(2);
      assertThat(stats.emitted()).isEqualTo(stats.delivered() + stats.dropped() + stats.pending());
      List<ConsumerRecord<byte[], byte[]>> records = broker.read(topic, 2, Duration.ofSeconds(20));
      assertThat(records).extracting(record -> new String(record.key(), StandardCharsets.UTF_8))
          .containsExactly("wf-small", "wf-small");
    }
  }

  @Test
  void brokerDownAtStartKeepsEmitFastAndCloseWithinItsDeadlineCountingEveryEvent() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    KafkaTracker tracker =
        KafkaTracker.create(
            KafkaTrackerConfig.builder()
                .bootstrapServers("localhost:" + closedPort)
                .env("test")
                .serviceKey("orders")
                .shutdownTimeout(Duration.ofSeconds(1))
                .build());
    int events = 5_000;
    List<WorkflowEvent> prepared = new ArrayList<>();
    for (int n = 0; n < events; n++) {
      prepared.add(step("wf-" + (n % 50), n / 50));
    }
    // What a stopwatch on a busy machine cannot blur: the emitting thread never parks or blocks.
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    threads.setThreadContentionMonitoringEnabled(true);
    ThreadInfo before = threads.getThreadInfo(Thread.currentThread().getId());
    long started = System.nanoTime();
    for (WorkflowEvent event : prepared) {
      tracker.emit(event);
    }
    Duration emitting = Duration.ofNanos(System.nanoTime() - started);
    ThreadInfo after = threads.getThreadInfo(Thread.currentThread().getId());
    assertThat(after.getWaitedCount()).as("times the emitting thread waited").isEqualTo(before.getWaitedCount());
    assertThat(after.getBlockedCount()).as("times the emitting thread blocked").isEqualTo(before.getBlockedCount());
    assertThat(emitting).as("5,000 emits with no broker").isLessThan(Duration.ofSeconds(1));
    await().atMost(Duration.ofSeconds(10)).until(() -> tracker.deliveryStatus().consecutiveFailures() > 0);

    long closing = System.nanoTime();
    tracker.close();
    Duration closeTook = Duration.ofNanos(System.nanoTime() - closing);
    assertThat(closeTook).as("close with shutdownTimeout 1s").isLessThan(Duration.ofMillis(2_500));

    TrackerStats stats = tracker.stats();
    assertThat(stats.emitted()).isEqualTo(events);
    assertThat(stats.delivered()).isZero();
    assertThat(stats.pending()).isZero();
    assertThat(stats.dropped(DropReason.CLOSED)).isEqualTo(events);
    assertThat(stats.dropped()).isEqualTo(events);
  }

  @Test
  void eventsTheProducerCannotPlaceWithinDeliveryTimeoutAreCountedAsRetriesExhausted() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    try (KafkaTracker tracker =
        KafkaTracker.create(
            KafkaTrackerConfig.builder()
                .bootstrapServers("localhost:" + closedPort)
                .env("test")
                .serviceKey("orders")
                .producerProperty("delivery.timeout.ms", 1_000)
                .producerProperty("request.timeout.ms", 500)
                .producerProperty("linger.ms", 0)
                .build())) {
      for (int n = 0; n < 100; n++) {
        tracker.emit(step("wf-" + (n % 10), n / 10));
      }
      assertThat(tracker.flush(Duration.ofSeconds(20))).isTrue();
      TrackerStats stats = tracker.stats();
      assertThat(stats.dropped(DropReason.RETRIES_EXHAUSTED)).isEqualTo(100);
      assertThat(stats.emitted()).isEqualTo(stats.dropped() + stats.delivered() + stats.pending());
      assertThat(tracker.deliveryStatus().lastFailureReason()).contains("no metadata for topic durable-tracker-events");
    }
  }

  @Test
  void bootstrapServersThatDoNotResolveNeitherFailCreationNorBlock() {
    KafkaTracker tracker =
        KafkaTracker.create(
            KafkaTrackerConfig.builder()
                .bootstrapServers("kafka.durable-tracker.invalid:9092")
                .env("test")
                .serviceKey("orders")
                .shutdownTimeout(Duration.ofMillis(500))
                .build());
    for (int n = 0; n < 100; n++) {
      tracker.emit(step("wf-" + (n % 10), n / 10));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> tracker.deliveryStatus().consecutiveFailures() > 0);
    assertThat(tracker.deliveryStatus().lastFailureReason()).contains("do not resolve");
    long closing = System.nanoTime();
    tracker.close();
    assertThat(Duration.ofNanos(System.nanoTime() - closing)).isLessThan(Duration.ofMillis(2_000));
    assertThat(tracker.stats().dropped(DropReason.CLOSED)).isEqualTo(100);
    assertThat(tracker.stats().pending()).isZero();
  }

  @Test
  void deliveryResumesAfterTheBrokerIsUnreachableMidStreamLosingNothing() throws Exception {
    deliveryResumesAfterAnOutage(broker::cut, broker::restore, true);
  }

  /**
   * A real stop and start of the broker. The producer may then be left with sequence numbers the
   * restarted broker refuses (seen with kafka-clients 4.1: OutOfOrderSequenceException, retried until
   * delivery.timeout.ms); those records are counted as RETRIES_EXHAUSTED, every other one arrives,
   * in order, and the accounting stays exact.
   */
  @Test
  void deliveryResumesAfterTheBrokerIsStoppedAndStartedAgainWithExactAccounting() throws Exception {
    deliveryResumesAfterAnOutage(broker::stopBroker, broker::startBroker, false);
  }

  private void deliveryResumesAfterAnOutage(Runnable outage, Runnable recovery, boolean lossless) throws Exception {
    String topic = broker.newTopic();
    int workflows = 40;
    int perWorkflow = 100;
    AtomicInteger emitted = new AtomicInteger();
    AtomicBoolean failed = new AtomicBoolean();
    // Health reports records with no acknowledgement for requestTimeout as a failure.
    try (KafkaTracker tracker = KafkaTracker.create(config(topic).requestTimeout(Duration.ofSeconds(2)).build())) {
      // A steady stream: one step of every workflow each 40 ms, across the outage.
      ScheduledExecutorService emitter =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread thread = new Thread(r, "steady-emitter");
                thread.setDaemon(true);
                return thread;
              });
      AtomicInteger round = new AtomicInteger();
      CountDownLatch allEmitted = new CountDownLatch(1);
      emitter.scheduleAtFixedRate(
          () -> {
            int n = round.getAndIncrement();
            if (n >= perWorkflow) {
              return;
            }
            try {
              for (int w = 0; w < workflows; w++) {
                tracker.emit(step("wf-" + w, n));
                emitted.incrementAndGet();
              }
            } catch (RuntimeException e) {
              failed.set(true);
            }
            if (n == perWorkflow - 1) {
              allEmitted.countDown();
            }
          },
          0,
          40,
          TimeUnit.MILLISECONDS);
      await().atMost(Duration.ofSeconds(20)).until(() -> tracker.stats().delivered() > 200);

      outage.run();
      long deliveredAtCut = tracker.stats().delivered();
      await().atMost(Duration.ofSeconds(20)).until(() -> tracker.deliveryStatus().consecutiveFailures() > 0);
      await().atMost(Duration.ofSeconds(20)).until(() -> tracker.pending() > 400);
      assertThat(tracker.stats().delivered() - deliveredAtCut)
          .as("little is acknowledged while the broker is unreachable")
          .isLessThan(400);

      recovery.run();
      assertThat(allEmitted.await(60, TimeUnit.SECONDS)).as("every step emitted").isTrue();
      emitter.shutdown();
      assertThat(failed).isFalse();
      assertThat(tracker.flush(Duration.ofSeconds(60))).isTrue();

      TrackerStats stats = tracker.stats();
      int total = workflows * perWorkflow;
      assertThat(stats.emitted()).isEqualTo(total).isEqualTo(emitted.get());
      assertThat(stats.pending()).isZero();
      assertThat(stats.emitted()).isEqualTo(stats.delivered() + stats.dropped());
      if (lossless) {
        assertThat(stats.dropped()).isZero();
        assertThat(tracker.deliveryStatus().consecutiveFailures()).isZero();
        List<ConsumerRecord<byte[], byte[]>> records = broker.read(topic, total, Duration.ofSeconds(30));
        assertThat(records.size()).isGreaterThanOrEqualTo(total);
        assertInOrder(sequences(records), workflows, perWorkflow);
        return;
      }
      assertThat(stats.dropped()).isEqualTo(stats.dropped(DropReason.RETRIES_EXHAUSTED));
      assertThat(stats.delivered()).as("delivery resumed after the restart").isGreaterThan(deliveredAtCut + total / 2);
      Map<String, List<Integer>> arrived = sequences(broker.read(topic, (int) stats.delivered(), Duration.ofSeconds(30)));
      assertThat(arrived.values().stream().mapToInt(List::size).sum())
          .as("every delivered event is in the topic")
          .isBetween((int) stats.delivered(), total);
      arrived.forEach(
          (workflow, steps) -> assertThat(steps).as("events of %s in emit order", workflow).isSorted().doesNotHaveDuplicates());
    } finally {
      broker.restore();
    }
  }

  @Test
  void withASpoolEventsKeptWhileTheBrokerIsUnreachableArriveAfterARestartInOrder(@TempDir Path spool) {
    String topic = broker.newTopic();
    int workflows = 20;
    int perWorkflow = 25;
    int total = workflows * perWorkflow;
    KafkaTrackerConfig config =
        config(topic)
            .shutdownTimeout(Duration.ofMillis(500))
            .spool(SpoolConfig.builder(spool).syncInterval(Duration.ZERO).build())
            .build();
    broker.cut();
    try {
      KafkaTracker first = KafkaTracker.create(config);
      for (int n = 0; n < perWorkflow; n++) {
        for (int w = 0; w < workflows; w++) {
          first.emit(step("wf-" + w, n));
        }
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> first.deliveryStatus().consecutiveFailures() > 0);
      // What health and the spool gauges read.
      assertThat(first.spoolStatus()).isNotNull();
      assertThat(first.spoolStatus().directory()).isEqualTo(spool.toAbsolutePath().normalize());
      first.close();
      TrackerStats kept = first.stats();
      assertThat(kept.delivered()).isZero();
      assertThat(kept.dropped()).isZero();
      assertThat(kept.pending()).as("kept in the spool").isEqualTo(total);
    } finally {
      broker.restore();
    }

    try (KafkaTracker second = KafkaTracker.create(config)) {
      assertThat(second.flush(Duration.ofSeconds(30))).isTrue();
      TrackerStats stats = second.stats();
      assertThat(stats.recovered()).isEqualTo(total);
      assertThat(stats.delivered()).isEqualTo(total);
      assertThat(stats.dropped()).isZero();
      assertThat(stats.pending()).isZero();
    }
    List<ConsumerRecord<byte[], byte[]>> records = broker.read(topic, total, Duration.ofSeconds(30));
    assertInOrder(sequences(records), workflows, perWorkflow);
  }

}
