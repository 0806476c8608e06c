package dev.durableeffect.tracker.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.durableeffect.tracker.EventTracker;
import dev.durableeffect.tracker.EventTracking;
import dev.durableeffect.tracker.WorkflowRecorder;
import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.event.WorkflowEvents;
import dev.durableeffect.tracker.kafka.KafkaTracker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/** {@code durable.tracker.type=kafka}: a real context publishing to a real broker in this JVM. */
class KafkaTrackerAutoConfigurationTest {

  private static final String TOPIC = "workflow-events";
  private static EmbeddedKafkaKraftBroker broker;

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(DurableTrackerAutoConfiguration.class))
          .withPropertyValues(
              "durable.tracker.type=kafka",
              "durable.tracker.env=test",
              "durable.tracker.service-key=orders");

  @BeforeAll
  static void startBroker() {
    broker = new EmbeddedKafkaKraftBroker(1, 2, TOPIC);
    // Not spring.kafka.bootstrap-servers (its default): that system property would reach every context here.
    broker.brokerListProperty("spring.embedded.kafka.brokers");
    broker.afterPropertiesSet();
  }

  @AfterAll
  static void stopBroker() {
    broker.destroy();
  }

  private static List<ConsumerRecord<byte[], byte[]>> read(int expected) {
    Map<String, Object> properties = new HashMap<>();
    properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString());
    properties.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = List.of(new TopicPartition(TOPIC, 0), new TopicPartition(TOPIC, 1));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (records.size() < expected && System.nanoTime() - until < 0) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    return records;
  }

  private static JsonNode json(byte[] value) {
    try {
      return new ObjectMapper().readTree(value);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void eventsFromEventTrackingAndARecorderArriveInTheTopicKeyedByWorkflow() {
    String workflowId = "wf-" + UUID.randomUUID();
    runner
        .withPropertyValues(
            "durable.tracker.kafka.bootstrap-servers=" + broker.getBrokersAsString(),
            "durable.tracker.kafka.topic=" + TOPIC,
            "durable.tracker.kafka.properties.compression.type=zstd")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              EventTracker tracker = context.getBean(EventTracker.class);
              assertThat(tracker).isInstanceOf(KafkaTracker.class);
              assertThat(((KafkaTracker) tracker).config().producerProperties()).containsEntry("compression.type", "zstd");
              assertThat(TrackerKind.of(tracker)).isEqualTo("kafka");

              EventTracking.emitEvent(
                  new WorkflowEvent.WorkflowQueued(WorkflowEvents.createBaseEvent(workflowId, "order"), Map.of("id", 7)));
              WorkflowRecorder run =
                  WorkflowRecorder.builder(tracker).workflowId(workflowId).workflowName("order").start();
              run.step("charge", () -> "charged");
              run.complete();
              assertThat(EventTracking.flushEvents().get()).isNull();
              assertThat(tracker.stats().delivered()).isEqualTo(5);

              TrackerHealth.Report health =
                  new TrackerHealth(tracker, context.getBean(DurableTrackerProperties.class).health(), Clock.systemUTC())
                      .check();
              assertThat(health.status()).isEqualTo("UP");
              assertThat(health.details())
                  .containsEntry("type", "kafka")
                  .containsEntry("destination", "Kafka topic " + TOPIC + " at " + broker.getBrokersAsString());

              SimpleMeterRegistry registry = new SimpleMeterRegistry();
              new TrackerMetrics(tracker).bindTo(registry);
              assertThat(registry.get("durable.tracker.events").tags("tracker.type", "kafka", "outcome", "delivered")
                      .functionCounter().count())
                  .isEqualTo(5);
            });
    List<String> types = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> record : read(5)) {
      if (new String(record.key(), StandardCharsets.UTF_8).equals(workflowId)) {
        JsonNode event = json(record.value());
        assertThat(event.get("workflowId").asText()).isEqualTo(workflowId);
        assertThat(event.get("env").asText()).isEqualTo("test");
        assertThat(event.get("serviceKey").asText()).isEqualTo("orders");
        types.add(event.get("type").asText());
      }
    }
    assertThat(types)
        .containsExactly("workflow.queued", "workflow.started", "step.started", "step.completed", "workflow.completed");
  }

  @Test
  void bootstrapServersDefaultToSpringKafkas() {
    runner
        .withPropertyValues("spring.kafka.bootstrap-servers=kafka-1:9092,kafka-2:9092")
        .run(
            context ->
                assertThat(context.getBean(KafkaTracker.class).config().bootstrapServers())
                    .isEqualTo("kafka-1:9092,kafka-2:9092"));
    runner
        .withPropertyValues(
            "spring.kafka.bootstrap-servers[0]=kafka-1:9092",
            "spring.kafka.bootstrap-servers[1]=kafka-2:9092",
            "durable.tracker.kafka.bootstrap-servers=own:9092")
        .run(context -> assertThat(context.getBean(KafkaTracker.class).config().bootstrapServers()).isEqualTo("own:9092"));
    runner
        .withPropertyValues("spring.kafka.bootstrap-servers[0]=kafka-1:9092", "spring.kafka.bootstrap-servers[1]=kafka-2:9092")
        .run(
            context ->
                assertThat(context.getBean(KafkaTracker.class).config().bootstrapServers())
                    .isEqualTo("kafka-1:9092,kafka-2:9092"));
  }

  @Test
  void producerPropertiesArePassedAndSecretsAreNeverShown() {
    runner
        .withPropertyValues(
            "durable.tracker.kafka.bootstrap-servers=kafka:9092",
            "durable.tracker.kafka.properties.security.protocol=SASL_SSL",
            "durable.tracker.kafka.properties.sasl.mechanism=PLAIN",
            "durable.tracker.kafka.properties.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule"
                + " required username=\"u\" password=\"hunter2\";")
        .run(
            context -> {
              KafkaTracker tracker = context.getBean(KafkaTracker.class);
              assertThat(tracker.config().producerProperties())
                  .containsEntry("security.protocol", "SASL_SSL")
                  .containsKey("sasl.jaas.config");
              assertThat(tracker.config().toString()).doesNotContain("hunter2");
              assertThat(context.getBean(DurableTrackerProperties.class).toString()).doesNotContain("hunter2");
              assertThat(tracker.toString()).doesNotContain("hunter2");
            });
  }

  @Test
  void theSpoolPropertiesApplyToTheKafkaTracker(@org.junit.jupiter.api.io.TempDir java.nio.file.Path directory) {
    runner
        .withPropertyValues(
            "durable.tracker.kafka.bootstrap-servers=kafka:9092",
            "durable.tracker.spool.directory=" + directory,
            "durable.tracker.spool.max-age=2d")
        .run(
            context -> {
              KafkaTracker tracker = context.getBean(KafkaTracker.class);
              assertThat(tracker.config().spool()).isNotNull();
              assertThat(tracker.config().spool().directory()).isEqualTo(directory);
              assertThat(tracker.config().spool().maxAge()).isEqualTo(Duration.ofDays(2));
            });
  }

  @Test
  void missingBootstrapServersFailStartupNamingTheProperty() {
    runner.run(
        context -> {
          assertThat(context).hasFailed();
          assertThat(context.getStartupFailure())
              .rootCause()
              .isInstanceOf(InvalidTrackerPropertyException.class)
              .hasMessageContaining("durable.tracker.kafka.bootstrap-servers")
              .hasMessageContaining("spring.kafka.bootstrap-servers");
        });
  }

  @Test
  void invalidKafkaSettingsFailStartupNamingTheProperty() {
    runner
        .withPropertyValues("durable.tracker.kafka.bootstrap-servers=kafka:9092", "durable.tracker.kafka.topic=a/b")
        .run(
            context -> {
              assertThat(context).hasFailed();
              InvalidTrackerPropertyException failure =
                  (InvalidTrackerPropertyException) rootCause(context.getStartupFailure());
              assertThat(failure.property()).isEqualTo("durable.tracker.kafka.topic");
              assertThat(failure.value()).isEqualTo("'a/b'");
            });
    runner
        .withPropertyValues("durable.tracker.kafka.bootstrap-servers=kafka", "durable.tracker.max-queue-size=0")
        .run(
            context ->
                assertThat(((InvalidTrackerPropertyException) rootCause(context.getStartupFailure())).property())
                    .isEqualTo("durable.tracker.kafka.bootstrap-servers"));
    runner
        .withPropertyValues("durable.tracker.kafka.bootstrap-servers=kafka:9092", "durable.tracker.kafka.properties.acks=sometimes")
        .run(
            context -> {
              InvalidTrackerPropertyException failure =
                  (InvalidTrackerPropertyException) rootCause(context.getStartupFailure());
              assertThat(failure.property()).isEqualTo("durable.tracker.kafka.properties");
              assertThat(failure.valid()).contains("acks");
            });
  }

  @Test
  void withoutTheKafkaModuleStartupFailsNamingTheTypeAndTheArtifactToAdd() {
    runner
        .withClassLoader(new FilteredClassLoader("dev.durableeffect.tracker.kafka"))
        .withPropertyValues("durable.tracker.kafka.bootstrap-servers=kafka:9092")
        .run(
            context -> {
              assertThat(context).hasFailed();
              InvalidTrackerPropertyException failure =
                  (InvalidTrackerPropertyException) rootCause(context.getStartupFailure());
              assertThat(failure.property()).isEqualTo("durable.tracker.type");
              assertThat(failure.value()).isEqualTo("kafka");
              assertThat(failure.valid()).contains("dev.durableeffect:tracker-kafka");
              String report =
                  new InvalidTrackerPropertyFailureAnalyzer().analyze(context.getStartupFailure()).getAction();
              assertThat(report).contains("durable.tracker.type").contains("dev.durableeffect:tracker-kafka");
            });
    runner
        .withClassLoader(new FilteredClassLoader("org.apache.kafka"))
        .withPropertyValues("durable.tracker.kafka.bootstrap-servers=kafka:9092")
        .run(
            context ->
                assertThat(((InvalidTrackerPropertyException) rootCause(context.getStartupFailure())).property())
                    .isEqualTo("durable.tracker.type"));
  }

  @Test
  void withoutTheKafkaModuleOtherTypesStillWork() {
    runner
        .withClassLoader(new FilteredClassLoader("dev.durableeffect.tracker.kafka", "org.apache.kafka"))
        .withPropertyValues("durable.tracker.type=in-memory")
        .run(context -> assertThat(context).hasNotFailed().hasSingleBean(EventTracker.class));
  }

  private static Throwable rootCause(Throwable error) {
    Throwable cause = error;
    while (cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
