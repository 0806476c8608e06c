package dev.durableeffect.tracker.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.durableeffect.tracker.TrackerStats;
import dev.durableeffect.tracker.spool.SpoolConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spool under Kafka, with a real crash: a child JVM emits while its broker is unreachable and
 * is killed with SIGKILL one second after its last {@code emit}; a Kafka tracker started on the
 * same spool directory against a running broker publishes every event, keyed by workflow, in emit
 * order per workflow.
 */
class KafkaSpoolCrashTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int WORKFLOWS = 10;
  private static final int PER_WORKFLOW = 100;

  @TempDir Path spool;

  @Test
  void eventsEmittedWhileTheBrokerIsDownSurviveSigkillAndArriveAfterARestart() throws Exception {
    try (TestBroker broker = TestBroker.start()) {
      String topic = broker.newTopic();
      Process child = startChild("127.0.0.1:9", topic);
      try {
        awaitEmitted(child);
        // The guarantee's premise: one second after the last emit, the child still running.
        await().pollDelay(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(10)).until(child::isAlive);
      } finally {
        child.destroyForcibly(); // SIGKILL
      }
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(child.exitValue()).isEqualTo(137);

      int total = WORKFLOWS * PER_WORKFLOW;
      try (KafkaTracker next =
          KafkaTracker.create(
              KafkaTrackerConfig.builder()
                  .bootstrapServers(broker.bootstrapServers())
                  .topic(topic)
                  .env("test")
                  .serviceKey("orders")
                  .spool(SpoolConfig.builder(spool).build())
                  .build())) {
        assertThat(next.stats().recovered()).isEqualTo(total);
        assertThat(next.flush(Duration.ofSeconds(60))).isTrue();
        TrackerStats stats = next.stats();
        assertThat(stats.delivered()).isEqualTo(total);
        assertThat(stats.dropped()).isZero();
      }

      List<ConsumerRecord<byte[], byte[]>> records = broker.read(topic, total, Duration.ofSeconds(30));
      assertThat(records).hasSize(total);
      Map<String, List<Integer>> steps = new HashMap<>();
      for (ConsumerRecord<byte[], byte[]> record : records) {
        String key = new String(record.key(), StandardCharsets.UTF_8);
        JsonNode value = JSON.readTree(record.value());
        assertThat(value.get("workflowId").asText()).isEqualTo(key);
        int n = Integer.parseInt(value.get("stepName").asText().substring("step-".length()));
        steps.computeIfAbsent(key, k -> new ArrayList<>()).add(n);
      }
      assertThat(steps).hasSize(WORKFLOWS);
      for (List<Integer> sequence : steps.values()) {
        assertThat(sequence).as("one workflow's steps, in the topic's order").isSorted().hasSize(PER_WORKFLOW);
      }
    }
  }

  private Process startChild(String bootstrapServers, String topic) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(
            java,
            "-Xmx256m",
            "-cp",
            System.getProperty("java.class.path"),
            KafkaSpoolChild.class.getName(),
            spool.toString(),
            bootstrapServers,
            topic,
            String.valueOf(WORKFLOWS),
            String.valueOf(PER_WORKFLOW))
        .redirectErrorStream(true)
        .start();
  }

  private static void awaitEmitted(Process child) throws Exception {
    BufferedReader reader =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    StringBuilder seen = new StringBuilder();
    String line;
    while ((line = reader.readLine()) != null) {
      if (line.startsWith("EMITTED")) {
        Thread drain = new Thread(() -> reader.lines().forEach(l -> {}));
        drain.setDaemon(true);
        drain.start();
        return;
      }
      seen.append(line).append('\n');
    }
    throw new AssertionError("the child exited without emitting; it printed:\n" + seen);
  }
}
