package dev.durableeffect.tracker.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.durableeffect.tracker.DropReason;
import dev.durableeffect.tracker.TrackerStats;
import dev.durableeffect.tracker.delivery.Transport;
import dev.durableeffect.tracker.delivery.TransportHarness;
import dev.durableeffect.tracker.spool.SpoolRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The transport driven step by step against Kafka's {@link MockProducer}: how each producer outcome
 * is counted, what it sends when, and in which order.
 */
class KafkaTransportTest {

  private final MockProducer<byte[], byte[]> producer =
      new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
  private final AtomicInteger wakes = new AtomicInteger();
  private int events;

  private static KafkaTrackerConfig config() {
    return KafkaTrackerConfig.builder()
        .bootstrapServers("localhost:9092")
        .topic("events")
        .env("test")
        .serviceKey("orders")
        .initialDelay(Duration.ofMillis(1))
        .maxDelay(Duration.ofMillis(1))
        .build();
  }

  private KafkaTransport transport(TransportHarness harness, int maxInFlight) {
    KafkaTrackerConfig config = config();
    return new KafkaTransport(() -> producer, config, ProducerSettings.of(config), maxInFlight, harness.context());
  }

  private TransportHarness harness(boolean spooled) {
    return new TransportHarness(spooled, wakes::incrementAndGet);
  }

  /** Records of the given workflows, one each, numbered in emit order. */
  private List<SpoolRecord> records(String... workflows) {
    List<SpoolRecord> records = new ArrayList<>();
    for (String workflow : workflows) {
      int n = events++;
      records.add(
          new SpoolRecord(
              0, 0, workflow, "id-" + n, "step.started", ("{\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8)));
    }
    return records;
  }

  private static List<String> sentIds(List<ProducerRecord<byte[], byte[]>> history) {
    return history.stream()
        .map(record -> new String(record.headers().lastHeader("eventId").value(), StandardCharsets.UTF_8))
        .toList();
  }

  private static long advance(Transport transport) {
    return transport.advance(System.nanoTime(), false, 0);
  }

  @Test
  void eachRecordCarriesKeyValueAndHeadersOfItsEvent() {
    TransportHarness harness = harness(false);
    KafkaTransport transport = transport(harness, 100);
    transport.add(harness.batch(records("wf-1", "wf-2")));
    advance(transport);

    List<ProducerRecord<byte[], byte[]>> sent = producer.history();
    assertThat(sent).hasSize(2);
    ProducerRecord<byte[], byte[]> first = sent.get(0);
    assertThat(first.topic()).isEqualTo("events");
    assertThat(new String(first.key(), StandardCharsets.UTF_8)).isEqualTo("wf-1");
    assertThat(new String(first.value(), StandardCharsets.UTF_8)).isEqualTo("{\"n\":0}");
    assertThat(new String(first.headers().lastHeader("eventId").value(), StandardCharsets.UTF_8)).isEqualTo("id-0");
    assertThat(new String(first.headers().lastHeader("type").value(), StandardCharsets.UTF_8)).isEqualTo("step.started");
    assertThat(new String(first.headers().lastHeader("content-type").value(), StandardCharsets.UTF_8))
        .isEqualTo("application/json");
    assertThat(first.partition()).as("the producer partitions by key").isNull();
  }

  @Test
  void eachProducerOutcomeIsCountedUnderItsReason() {
    TransportHarness harness = harness(false);
    KafkaTransport transport = transport(harness, 100);
    transport.add(harness.batch(records("a", "b", "c", "d", "e")));
    advance(transport);

    assertThat(producer.completeNext()).isTrue();
    assertThat(producer.errorNext(new RecordTooLargeException("too large"))).isTrue();
    assertThat(producer.errorNext(new TopicAuthorizationException("not allowed"))).isTrue();
    assertThat(producer.errorNext(new TimeoutException("Expiring 1 record(s)"))).isTrue();
    assertThat(wakes.get()).as("callbacks wake the sender").isPositive();
    assertThat(transport.idle()).isFalse();
    advance(transport);

    TrackerStats stats = harness.stats();
    assertThat(stats.delivered()).isEqualTo(1);
    assertThat(stats.dropped(DropReason.TOO_LARGE)).isEqualTo(1);
    assertThat(stats.dropped(DropReason.REJECTED)).isEqualTo(1);
    assertThat(stats.dropped(DropReason.RETRIES_EXHAUSTED)).isEqualTo(1);
    assertThat(stats.pending()).isEqualTo(1);
    assertThat(transport.idle()).isFalse();

    assertThat(producer.completeNext()).isTrue();
    advance(transport);
    assertThat(harness.stats().delivered()).isEqualTo(2);
    assertThat(harness.stats().pending()).isZero();
    assertThat(transport.idle()).isTrue();
  }

  @Test
  void recordsInFlightAreBoundedAndRoomReturnsAsTheyAreAcknowledged() {
    TransportHarness harness = harness(false);
    KafkaTransport transport = transport(harness, 4);
    assertThat(transport.hasRoom()).isTrue();
    transport.add(harness.batch(records("a", "b", "c", "d")));
    assertThat(transport.hasRoom()).as("a batch waits").isFalse();
    advance(transport);
    assertThat(producer.history()).hasSize(4);
    assertThat(transport.hasRoom()).as("4 records in flight").isFalse();

    producer.completeNext();
    advance(transport);
    assertThat(transport.hasRoom()).isTrue();
  }

  @Test
  void aRecordTheProducerCannotTakeYetStaysFirstAndNothingBehindItIsSent() throws Exception {
    TransportHarness harness = harness(false);
    KafkaTransport transport = transport(harness, 100);
    producer.sendException = new TimeoutException("Topic events not present in metadata after 0 ms.");
    transport.add(harness.batch(records("a", "a", "b")));
    long timer = advance(transport);
    assertThat(timer).as("a pause before the next offer").isNotEqualTo(Transport.NO_TIMER);
    assertThat(producer.history()).isEmpty();
    assertThat(harness.stats().pending()).isEqualTo(3);
    assertThat(harness.stats().dropped()).isZero();

    producer.sendException = null;
    // The transport's clock is the one it is handed: its next turn comes at the timer it asked for.
    transport.advance(timer, false, 0);
    assertThat(sentIds(producer.history())).containsExactly("id-0", "id-1", "id-2");
  }

  @Test
  void withASpoolARetryableFailureReplacesTheProducerAndWhatItHeldIsSentAgainFirstInEmitOrder() throws Exception {
    TransportHarness harness = harness(true);
    MockProducer<byte[], byte[]> second =
        new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
    ArrayDeque<MockProducer<byte[], byte[]>> producers = new ArrayDeque<>(List.of(producer, second));
    KafkaTrackerConfig config = config();
    KafkaTransport transport =
        new KafkaTransport(producers::poll, config, ProducerSettings.of(config), 100, harness.context());
    transport.add(harness.batch(records("a", "b", "a", "b")));
    advance(transport);
    assertThat(sentIds(producer.history())).containsExactly("id-0", "id-1", "id-2", "id-3");

    producer.completeNext();
    producer.errorNext(new TimeoutException("Expiring 1 record(s)"));
    advance(transport);
    assertThat(producer.closed()).as("closed at once: it writes nothing after the failed record").isTrue();
    assertThat(transport.hasRoom()).as("nothing new while recovering").isFalse();
    transport.add(harness.batch(records("a", "b")));
    advance(transport);
    assertThat(second.history()).as("nothing sent while records are in flight").isEmpty();

    // What the real producer's close(0) does to the records it still holds.
    producer.errorNext(new KafkaException("Producer is closed forcefully."));
    producer.errorNext(new KafkaException("Producer is closed forcefully."));
    long resendAt = advance(transport);
    assertThat(resendAt).as("a backoff before the re-send").isNotEqualTo(Transport.NO_TIMER);
    transport.advance(resendAt, false, 0);
    assertThat(sentIds(second.history())).containsExactly("id-1", "id-2", "id-3", "id-4", "id-5");
    assertThat(harness.stats().dropped()).isZero();
    assertThat(harness.stats().delivered()).isEqualTo(1);

    while (second.completeNext()) {
      // acknowledge the rest
    }
    advance(transport);
    assertThat(harness.stats().delivered()).isEqualTo(6);
    assertThat(harness.stats().pending()).isZero();
    assertThat(transport.idle()).isTrue();
  }

  @Test
  void withASpoolARecordPastMaxAgeIsDroppedAsExpiredInsteadOfSentAgain() {
    TransportHarness harness = harness(true);
    MockProducer<byte[], byte[]> second =
        new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
    ArrayDeque<MockProducer<byte[], byte[]>> producers = new ArrayDeque<>(List.of(producer, second));
    KafkaTrackerConfig config = config();
    KafkaTransport transport =
        new KafkaTransport(producers::poll, config, ProducerSettings.of(config), 100, harness.context());
    transport.add(harness.batch(records("a")));
    advance(transport);
    harness.expireSpooledEvents();
    producer.errorNext(new TimeoutException("Expiring 1 record(s)"));
    advance(transport);
    assertThat(harness.stats().dropped(DropReason.EXPIRED)).isEqualTo(1);
    assertThat(harness.stats().pending()).isZero();
  }

  @Test
  void withASpoolShutdownKeepsAFailedRecordAndEverythingAfterItInTheSpoolAndSendsNothingMore() {
    TransportHarness harness = harness(true);
    MockProducer<byte[], byte[]> second =
        new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
    ArrayDeque<MockProducer<byte[], byte[]>> producers = new ArrayDeque<>(List.of(producer, second));
    KafkaTrackerConfig config = config();
    KafkaTransport transport =
        new KafkaTransport(producers::poll, config, ProducerSettings.of(config), 100, harness.context());
    transport.add(harness.batch(records("a", "b")));
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    transport.advance(System.nanoTime(), true, deadline);
    producer.errorNext(new TimeoutException("Expiring 1 record(s)"));
    transport.advance(System.nanoTime(), true, deadline);
    assertThat(producer.closed()).as("nothing it holds is written after the failed record").isTrue();
    assertThat(transport.hasRoom()).isFalse();
    producer.errorNext(new KafkaException("Producer is closed forcefully."));
    transport.advance(System.nanoTime(), true, deadline);
    assertThat(transport.idle()).isTrue();
    assertThat(second.history()).isEmpty();
    assertThat(harness.stats().dropped()).isZero();
    assertThat(harness.stats().pending()).as("kept in the spool for the next start").isEqualTo(2);
  }

  @Test
  void withoutASpoolANonRetryableFailureIsRejectedAndTheProducerKept() {
    TransportHarness harness = harness(false);
    KafkaTransport transport = transport(harness, 100);
    transport.add(harness.batch(records("a", "b")));
    advance(transport);
    producer.errorNext(new TimeoutException("Expiring 1 record(s)"));
    producer.errorNext(new KafkaException("Producer is closed forcefully."));
    advance(transport);
    assertThat(producer.closed()).isFalse();
    assertThat(harness.stats().dropped(DropReason.RETRIES_EXHAUSTED)).isEqualTo(1);
    assertThat(harness.stats().dropped(DropReason.REJECTED)).isEqualTo(1);
  }

  @Test
  void afterForgetLateAcknowledgementsCountNothing() {
    TransportHarness harness = harness(false);
    KafkaTransport transport = transport(harness, 100);
    transport.add(harness.batch(records("a", "b")));
    advance(transport);
    transport.forget();
    assertThat(transport.idle()).isTrue();
    producer.completeNext();
    producer.completeNext();
    advance(transport);
    assertThat(harness.stats().delivered()).isZero();
    assertThat(harness.stats().pending()).isEqualTo(2);
  }

  @Test
  void theProducerIsCreatedAtTheFirstSendAndClosedWithTheTransport() {
    TransportHarness harness = harness(false);
    AtomicInteger created = new AtomicInteger();
    KafkaTrackerConfig config = config();
    KafkaTransport transport =
        new KafkaTransport(
            () -> {
              created.incrementAndGet();
              return producer;
            },
            config,
            ProducerSettings.of(config),
            100,
            harness.context());
    assertThat(created).hasValue(0);
    transport.add(harness.batch(records("a", "b")));
    advance(transport);
    assertThat(created).hasValue(1);
    transport.close();
    assertThat(producer.closed()).isTrue();
  }

  @Test
  void aClosedTransportThatNeverSentHasNoProducerToClose() {
    TransportHarness harness = harness(false);
    KafkaTransport transport = transport(harness, 100);
    transport.close();
    assertThat(producer.closed()).isFalse();
  }
}
