package dev.durableeffect.tracker.json;

import static org.assertj.core.api.Assertions.assertThat;

import dev.durableeffect.tracker.event.WireEvent;
import dev.durableeffect.tracker.event.WorkflowEventType;
import dev.durableeffect.tracker.kafka.KafkaTracker;
import dev.durableeffect.tracker.kafka.KafkaTrackerConfig;
import dev.durableeffect.tracker.kafka.TestBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * The value of each record is byte for byte the golden wire fixture of its event type (the same
 * files the HTTP tracker's JSON is checked against), in this package to reuse core's fixture events.
 */
class KafkaRecordsMatchGoldenFixturesTest {

  @Test
  void everyEventTypeIsPublishedAsItsGoldenWireJson() {
    try (TestBroker broker = TestBroker.start()) {
      String topic = broker.newTopic();
      Map<WorkflowEventType, WireEvent> fixtures = Fixtures.all();
      List<String> expected = new ArrayList<>();
      try (KafkaTracker tracker =
          KafkaTracker.create(
              KafkaTrackerConfig.builder()
                  .bootstrapServers(broker.bootstrapServers())
                  .topic(topic)
                  .env("production")
                  .serviceKey("orders")
                  .build())) {
        fixtures.forEach(
            (type, wire) -> {
              tracker.emit(wire.event());
              expected.add(Fixtures.golden(type));
            });
        assertThat(tracker.flush(Duration.ofSeconds(30))).isTrue();
        assertThat(tracker.stats().delivered()).isEqualTo(16);
      }
      List<ConsumerRecord<byte[], byte[]>> records = broker.read(topic, 16, Duration.ofSeconds(20));
      assertThat(records)
          .extracting(record -> new String(record.value(), StandardCharsets.UTF_8))
          .as("one workflow, one partition, in emit order")
          .containsExactlyElementsOf(expected);
      assertThat(records)
          .extracting(record -> new String(record.headers().lastHeader("type").value(), StandardCharsets.UTF_8))
          .containsExactlyElementsOf(fixtures.keySet().stream().map(WorkflowEventType::wireName).toList());
    }
  }
}
