package dev.durableeffect.tracker.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.durableeffect.tracker.http.InvalidSettingException;
import dev.durableeffect.tracker.spool.SpoolConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaTrackerConfigTest {

  private static KafkaTrackerConfig.Builder valid() {
    return KafkaTrackerConfig.builder().bootstrapServers("broker-1:9092,broker-2:9092").env("prod").serviceKey("orders");
  }

  private static InvalidSettingException invalid(KafkaTrackerConfig.Builder builder) {
    try {
      builder.build();
    } catch (InvalidSettingException e) {
      return e;
    }
    throw new AssertionError("expected an InvalidSettingException");
  }

  @Test
  void defaultsAreSet() {
    KafkaTrackerConfig config = valid().build();
    assertThat(config.topic()).isEqualTo("durable-tracker-events");
    assertThat(config.maxQueueSize()).isEqualTo(10_000);
    assertThat(config.shutdownTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.maxAttempts()).isEqualTo(4);
    assertThat(config.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.producerProperties()).isEmpty();
    assertThat(config.spool()).isNull();
  }

  @Test
  void invalidSettingsNameTheSettingAndTheValue() {
    InvalidSettingException missing = invalid(KafkaTrackerConfig.builder().env("prod").serviceKey("orders"));
    assertThat(missing.setting()).isEqualTo("bootstrapServers");
    assertThat(missing.value()).isNull();

    InvalidSettingException noPort = invalid(valid().bootstrapServers("broker-1:9092,broker-2"));
    assertThat(noPort.setting()).isEqualTo("bootstrapServers");
    assertThat(noPort.getMessage()).contains("broker-1:9092,broker-2").contains("'broker-2' is not one");

    InvalidSettingException badPort = invalid(valid().bootstrapServers("broker:70000"));
    assertThat(badPort.getMessage()).contains("broker:70000");

    InvalidSettingException topic = invalid(valid().topic("events/all"));
    assertThat(topic.setting()).isEqualTo("topic");
    assertThat(topic.value()).isEqualTo("'events/all'");
    assertThat(invalid(valid().topic("..")).setting()).isEqualTo("topic");
    assertThat(invalid(valid().topic("x".repeat(250))).setting()).isEqualTo("topic");
    assertThat(valid().topic("x".repeat(249)).build().topic()).hasSize(249);

    assertThat(invalid(valid().env(" ")).setting()).isEqualTo("env");
    assertThat(invalid(valid().serviceKey("")).setting()).isEqualTo("serviceKey");
    assertThat(invalid(valid().maxQueueSize(0)).value()).isEqualTo("0");
    assertThat(invalid(valid().maxQueueSize(16_777_217)).setting()).isEqualTo("maxQueueSize");
    assertThat(invalid(valid().shutdownTimeout(Duration.ofSeconds(-1))).setting()).isEqualTo("shutdownTimeout");
    assertThat(invalid(valid().maxAttempts(0)).setting()).isEqualTo("maxAttempts");
    assertThat(invalid(valid().initialDelay(Duration.ZERO)).setting()).isEqualTo("initialDelay");
    assertThat(invalid(valid().initialDelay(Duration.ofSeconds(5)).maxDelay(Duration.ofSeconds(1))).setting())
        .isEqualTo("maxDelay");
    assertThat(invalid(valid().requestTimeout(Duration.ZERO)).setting()).isEqualTo("requestTimeout");
  }

  @Test
  void propertiesTheTrackerOwnsAreRefused() {
    for (String owned : new String[] {"key.serializer", "value.serializer", "bootstrap.servers"}) {
      InvalidSettingException e = invalid(valid().producerProperty(owned, "x"));
      assertThat(e.setting()).isEqualTo("producerProperty");
      assertThat(e.value()).isEqualTo(owned);
    }
  }

  @Test
  void secretsNeverAppearInToString() {
    KafkaTrackerConfig config =
        valid()
            .producerProperty("security.protocol", "SASL_SSL")
            .producerProperty("sasl.jaas.config", "PlainLoginModule required username=\"u\" password=\"hunter2\";")
            .producerProperty("ssl.keystore.password", "kspass")
            .producerProperty("ssl.key.password", "keypass")
            .producerProperty("ssl.truststore.password", "tspass")
            .producerProperty("sasl.oauthbearer.client.credentials.client.secret", "oauth")
            .build();
    String text = config.toString();
    assertThat(text)
        .contains("security.protocol=SASL_SSL")
        .contains("sasl.jaas.config=***")
        .doesNotContain("hunter2")
        .doesNotContain("kspass")
        .doesNotContain("keypass")
        .doesNotContain("tspass")
        .doesNotContain("oauth\"")
        .doesNotContain("=oauth");
  }

  @Test
  void producerDefaultsAndTheDeliveryTimeoutFromTheRetrySettings() {
    Map<String, Object> properties = ProducerSettings.of(valid().build()).properties();
    assertThat(properties)
        .containsEntry("enable.idempotence", "true")
        .containsEntry("acks", "all")
        .containsEntry("max.in.flight.requests.per.connection", "5")
        .containsEntry("compression.type", KafkaTrackerConfig.DEFAULT_COMPRESSION)
        .containsEntry("linger.ms", "10")
        .containsEntry("max.block.ms", "0")
        .containsEntry("request.timeout.ms", "10000")
        .containsEntry("bootstrap.servers", "broker-1:9092,broker-2:9092");
    // 4 attempts of 10 s, backoff 1 s, 2 s, 4 s between them, plus linger.ms.
    assertThat(properties).containsEntry("delivery.timeout.ms", String.valueOf(4 * 10_000 + 1_000 + 2_000 + 4_000 + 10));
    assertThat(properties.get("client.id").toString()).startsWith("durable-tracker-orders-");

    Map<String, Object> capped =
        ProducerSettings.of(
                valid().maxAttempts(6).initialDelay(Duration.ofSeconds(1)).maxDelay(Duration.ofSeconds(3)).build())
            .properties();
    assertThat(capped).containsEntry("delivery.timeout.ms", String.valueOf(6 * 10_000 + 1_000 + 2_000 + 3 * 3_000 + 10));

  }

  @Test
  void userPropertiesWinOverTheDefaults() {
    ProducerSettings settings =
        ProducerSettings.of(
            valid()
                .producerProperty("compression.type", "zstd")
                .producerProperty("delivery.timeout.ms", 5_000)
                .producerProperty("buffer.memory", 1_000_000L)
                .build());
    assertThat(settings.properties()).containsEntry("compression.type", "zstd").containsEntry("delivery.timeout.ms", 5_000);
    assertThat(settings.deliveryTimeoutMs()).isEqualTo(5_000);
    assertThat(settings.bufferMemory()).isEqualTo(1_000_000L);
  }

  @Test
  void aLongerRequestTimeoutThanTheBudgetKeepsTheProducersOwnRule() {
    // Kafka refuses delivery.timeout.ms < linger.ms + request.timeout.ms.
    Map<String, Object> properties =
        ProducerSettings.of(valid().maxAttempts(1).producerProperty("request.timeout.ms", "60000").build())
            .properties();
    assertThat(Long.parseLong(properties.get("delivery.timeout.ms").toString())).isGreaterThanOrEqualTo(60_010);
  }

  @Test
  void theSpoolIsKept() {
    SpoolConfig spool = SpoolConfig.builder(Path.of("/tmp/spool")).build();
    KafkaTrackerConfig config = valid().spool(spool).build();
    assertThat(config.spool()).isSameAs(spool);
    assertThat(config.toString()).contains("spool=/tmp/spool");
  }

  @Test
  void invalidProducerPropertiesFailCreationWithKafkasReason() {
    assertThatThrownBy(() -> KafkaTracker.create(valid().producerProperty("acks", "sometimes").build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("acks");
  }
}
