package dev.durableeffect.tracker.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.durableeffect.tracker.TestEvents;
import java.net.URI;
import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class HttpBatchTrackerConfigTest {

  private static HttpBatchTrackerConfig.Builder valid() {
    return HttpBatchTrackerConfig.builder()
        .endpoint("https://events.example.com/ingest")
        .env("production")
        .serviceKey("orders");
  }

  private static void assertRejected(Consumer<HttpBatchTrackerConfig.Builder> change, String message) {
    HttpBatchTrackerConfig.Builder builder = valid();
    change.accept(builder);
    assertThatThrownBy(builder::build)
        .isInstanceOf(InvalidSettingException.class)
        .hasMessage(message);
  }

  @Test
  void defaultsMatchTheDocumentedTable() {
    HttpBatchTrackerConfig config = valid().build();

    assertThat(config.endpoint()).isEqualTo(URI.create("https://events.example.com/ingest"));
    assertThat(config.batchSize()).isEqualTo(100);
    assertThat(config.flushInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.headers()).isEmpty();
    assertThat(config.maxAttempts()).isEqualTo(4);
    assertThat(config.initialDelay()).isEqualTo(Duration.ofSeconds(1));
    assertThat(config.maxDelay()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.maxQueueSize()).isEqualTo(10_000);
    assertThat(config.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.compression()).isEqualTo(Compression.GZIP);
    assertThat(config.maxBatchBytes()).isEqualTo(1024 * 1024);
    assertThat(config.maxEventBytes()).isEqualTo(256 * 1024);
    assertThat(config.shutdownTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.maxBatchSize()).isEqualTo(2_000);
  }

  @Test
  void maxBatchSizeIsNeverBelowBatchSize() {
    assertThat(valid().batchSize(5_000).build().maxBatchSize()).isEqualTo(5_000);
    assertThat(valid().batchSize(50).maxBatchSize(1).build().maxBatchSize()).isEqualTo(50);
    assertThat(valid().batchSize(50).maxBatchSize(400).build().maxBatchSize()).isEqualTo(400);
  }

  @Test
  void invalidValuesNameTheSettingAndTheValue() {
    assertRejected(b -> b.endpoint("ftp://host/x"),
        "Invalid durable-tracker setting endpoint: ftp://host/x (expected an absolute http or https URL with a host)");
    assertRejected(b -> b.endpoint("not a url"),
        "Invalid durable-tracker setting endpoint: 'not a url' (expected an absolute http or https URL with a host)");
    assertRejected(b -> b.env(" "),
        "Invalid durable-tracker setting env: ' ' (expected a non-blank value)");
    assertRejected(b -> b.serviceKey(null), "durable-tracker setting serviceKey is required (expected a value)");
    assertRejected(b -> b.batchSize(0),
        "Invalid durable-tracker setting batchSize: 0 (expected a number greater than 0)");
    assertRejected(b -> b.flushInterval(Duration.ofSeconds(-1)),
        "Invalid durable-tracker setting flushInterval: PT-1S (expected a duration greater than 0)");
    assertRejected(b -> b.maxAttempts(0),
        "Invalid durable-tracker setting maxAttempts: 0 (expected 1 or more (every request counts, the first included))");
    assertRejected(b -> b.maxQueueSize(HttpBatchTrackerConfig.MAX_QUEUE_SIZE + 1),
        "Invalid durable-tracker setting maxQueueSize: 16777217 (expected at most 16777216)");
    assertRejected(b -> b.shutdownTimeout(Duration.ofSeconds(Long.MAX_VALUE)),
        "Invalid durable-tracker setting shutdownTimeout: PT2562047788015215H30M7S (expected at most 36500 days)");
    assertRejected(b -> b.maxDelay(Duration.ofDays(36_501)),
        "Invalid durable-tracker setting maxDelay: PT876024H (expected at most 36500 days)");
    assertRejected(b -> b.header("X-Token", "abc\r\nX-Injected: 1"),
        "Invalid durable-tracker setting headers.X-Token: (hidden) (expected a header value of Latin-1 characters without control characters such as line breaks)");
    assertRejected(b -> b.endpoint("https://user:pw@events.example.com/ingest").header("authorization", "Bearer t"),
        "Invalid durable-tracker setting endpoint: https://events.example.com/ingest (expected credentials in the URL or an Authorization header, not both)");
    assertRejected(b -> b.maxBatchSize(0),
        "Invalid durable-tracker setting maxBatchSize: 0 (expected a number greater than 0)");
    assertRejected(b -> b.maxQueueSize(-5),
        "Invalid durable-tracker setting maxQueueSize: -5 (expected a number greater than 0)");
    assertRejected(b -> b.initialDelay(Duration.ofSeconds(10)).maxDelay(Duration.ofSeconds(1)),
        "Invalid durable-tracker setting maxDelay: PT1S (expected at least initialDelay (PT10S))");
    assertRejected(b -> b.maxEventBytes(1000).maxBatchBytes(1000),
        "Invalid durable-tracker setting maxBatchBytes: 1000 (expected at least maxEventBytes + 13 (1013))");
    assertRejected(b -> b.requestTimeout(Duration.ZERO),
        "Invalid durable-tracker setting requestTimeout: PT0S (expected a duration greater than 0)");
    assertRejected(b -> b.header("Bad Header", "x"),
        "Invalid durable-tracker setting headers: 'Bad Header' (expected a header name (letters, digits, -))");
  }

  @Test
  void everySettingIsCheckedAndNamed() {
    assertThatThrownBy(() -> HttpBatchTrackerConfig.builder().env("e").serviceKey("k").build())
        .isInstanceOf(InvalidSettingException.class)
        .hasMessage("durable-tracker setting endpoint is required (expected a value)");
    assertRejected(b -> b.env(null), "durable-tracker setting env is required (expected a value)");
    assertRejected(b -> b.initialDelay(Duration.ZERO),
        "Invalid durable-tracker setting initialDelay: PT0S (expected a duration greater than 0)");
    assertRejected(b -> b.maxDelay(Duration.ZERO),
        "Invalid durable-tracker setting maxDelay: PT0S (expected a duration greater than 0)");
    assertRejected(b -> b.compression(null), "durable-tracker setting compression is required (expected a value)");
    assertRejected(b -> b.maxEventBytes(0),
        "Invalid durable-tracker setting maxEventBytes: 0 (expected a number greater than 0)");
    assertRejected(b -> b.maxBatchBytes(0),
        "Invalid durable-tracker setting maxBatchBytes: 0 (expected a number greater than 0)");
    assertRejected(b -> b.shutdownTimeout(Duration.ofMillis(-1)),
        "Invalid durable-tracker setting shutdownTimeout: PT-0.001S (expected 0 or more)");
    assertRejected(b -> b.flushInterval(null), "durable-tracker setting flushInterval is required (expected a value)");
    HttpBatchTrackerConfig valid = valid().build();
    assertThatThrownBy(() -> new HttpBatchTrackerConfig(valid.endpoint(), "e", "k", 1, Duration.ofSeconds(1), null, 1,
            Duration.ofSeconds(1), Duration.ofSeconds(1), 1, Duration.ofSeconds(1), Compression.NONE, 2000, 1000, Duration.ZERO, 1, null, null, null, null))
        .isInstanceOf(InvalidSettingException.class)
        .hasMessage("durable-tracker setting headers is required (expected a value)");
  }

  @Test
  void valuesAtTheEdgeOfTheirRangeAreAccepted() {
    HttpBatchTrackerConfig config =
        valid()
            .maxQueueSize(HttpBatchTrackerConfig.MAX_QUEUE_SIZE)
            .maxEventBytes(1000)
            .maxBatchBytes(1000 + HttpBatchTrackerConfig.BODY_OVERHEAD)
            .flushInterval(HttpBatchTrackerConfig.MAX_DURATION)
            .initialDelay(HttpBatchTrackerConfig.MAX_DURATION)
            .maxDelay(HttpBatchTrackerConfig.MAX_DURATION)
            .requestTimeout(HttpBatchTrackerConfig.MAX_DURATION)
            .shutdownTimeout(HttpBatchTrackerConfig.MAX_DURATION)
            .header("azAZ09!#$%&'*+-.^_`|~", "\tvalue with a tab~")
            .build();

    assertThat(config.maxQueueSize()).isEqualTo(16_777_216);
    assertThat(config.maxBatchBytes()).isEqualTo(1013);
    assertThat(config.shutdownTimeout()).isEqualTo(Duration.ofDays(36_500));
    assertThat(config.headers()).containsKey("azAZ09!#$%&'*+-.^_`|~");
    assertThat(valid().shutdownTimeout(Duration.ZERO).build().shutdownTimeout()).isZero();
    for (String bad : new String[] {"a b", "a\"b", "a@b", "a:b", "a/b", "[a]", "{a}", "a\u007f", "\u00e9"}) {
      assertRejected(b -> b.header(bad, "v"), "Invalid durable-tracker setting headers: '" + bad + "' (expected a header name (letters, digits, -))");
    }
  }

  @Test
  void credentialsInTheEndpointNeverAppearInMessagesOrToString() {
    assertThatThrownBy(() -> valid().endpoint("ftp://user:pw@host/x?token=abc").build())
        .hasMessageNotContaining("pw")
        .hasMessageNotContaining("token");
    assertThatThrownBy(() -> valid().endpoint("http://user:pw@host name/x?token=abc").build())
        .hasMessageNotContaining("pw")
        .hasMessageNotContaining("abc");

    HttpBatchTrackerConfig config =
        valid().endpoint("https://user:pw@events.example.com:8443/ingest?token=abc").build();
    assertThat(config.redactedEndpoint()).isEqualTo("https://events.example.com:8443/ingest");
    assertThat(config.toString()).doesNotContain("pw", "abc");
  }

  @Test
  void credentialsInTheEndpointBecomeABasicAuthorizationHeaderAndLeaveTheUrl() {
    HttpBatchTrackerConfig config =
        valid().endpoint("https://alice:s%C3%A9cret@events.example.com:8443/ingest?x=1").build();

    assertThat(config.endpoint()).isEqualTo(URI.create("https://events.example.com:8443/ingest?x=1"));
    assertThat(config.headers())
        .containsEntry(
            "Authorization",
            "Basic " + java.util.Base64.getEncoder().encodeToString("alice:sécret".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    assertThat(config.toString()).doesNotContain("alice", "cret", "Basic");
    assertThat(config.toBuilder().build()).isEqualTo(config);
  }

  @Test
  void toStringListsHeaderNamesButNeverTheirValues() {
    HttpBatchTrackerConfig config =
        valid().header("Authorization", "Bearer s3cr3t").header("X-Api-Key", "k3y").build();

    assertThat(config.toString()).contains("Authorization", "X-Api-Key").doesNotContain("s3cr3t", "k3y");
  }

  @Test
  void toBuilderKeepsEverySetting() throws Exception {
    HttpBatchTrackerConfig config =
        HttpBatchTrackerConfig.builder()
            .endpoint("http://other.example.com:8080/events")
            .env("staging")
            .serviceKey("billing")
            .batchSize(7)
            .flushInterval(Duration.ofMillis(1500))
            .header("A", "b")
            .maxAttempts(9)
            .initialDelay(Duration.ofMillis(300))
            .maxDelay(Duration.ofSeconds(7))
            .maxQueueSize(77)
            .requestTimeout(Duration.ofSeconds(3))
            .compression(Compression.NONE)
            .maxBatchBytes(50_000)
            .maxEventBytes(20_000)
            .shutdownTimeout(Duration.ofSeconds(4))
            .maxBatchSize(70)
            .sslContext(javax.net.ssl.SSLContext.getDefault())
            .proxy(HttpProxy.of("proxy.example.com", 3128))
            .headers(() -> java.util.Map.of("X-Token", "t"))
            .spool(dev.durableeffect.tracker.spool.SpoolConfig.builder(java.nio.file.Path.of("spool")).build())
            .build();
    HttpBatchTrackerConfig defaults = valid().build();
    // Every setting differs from its default, so a setting toBuilder() forgot cannot go unnoticed,
    // and a setting added later must be added here.
    for (java.lang.reflect.RecordComponent component : HttpBatchTrackerConfig.class.getRecordComponents()) {
      Object value = component.getAccessor().invoke(config);
      assertThat(value).as(component.getName()).isNotEqualTo(component.getAccessor().invoke(defaults));
    }

    HttpBatchTrackerConfig copy = config.toBuilder().build();

    for (java.lang.reflect.RecordComponent component : HttpBatchTrackerConfig.class.getRecordComponents()) {
      assertThat(component.getAccessor().invoke(copy))
          .as(component.getName())
          .isEqualTo(component.getAccessor().invoke(config));
    }
  }

  @Test
  void aTrackerNamesItsDestinationWithoutTheQueryAndReportsItsQueue() {
    HttpBatchTrackerConfig config =
        valid()
            .endpoint("https://events.example.com:8443/ingest?token=abc")
            .maxQueueSize(50)
            .batchSize(100)
            .flushInterval(Duration.ofHours(1))
            .shutdownTimeout(Duration.ofMillis(100))
            .build();
    try (HttpBatchTracker tracker = HttpBatchTracker.create(config)) {
      assertThat(tracker.destination()).isEqualTo("https://events.example.com:8443/ingest");
      assertThat(tracker).hasToString("HttpBatchTracker[https://events.example.com:8443/ingest]");
      assertThat(tracker.queueCapacity()).isEqualTo(50);
      for (int i = 0; i < 3; i++) {
        tracker.emit(TestEvents.numbered(i));
      }
      assertThat(tracker.queueSize()).as("below a batch, an hour to wait: all still queued").isEqualTo(3);
    }
  }

  @Test
  void everyDurationOverTheLongestAcceptedIsRefusedByName() {
    Duration tooLong = HttpBatchTrackerConfig.MAX_DURATION.plusSeconds(1);
    assertRejected(b -> b.flushInterval(tooLong),
        "Invalid durable-tracker setting flushInterval: " + tooLong + " (expected at most 36500 days)");
    assertRejected(b -> b.initialDelay(tooLong).maxDelay(tooLong),
        "Invalid durable-tracker setting initialDelay: " + tooLong + " (expected at most 36500 days)");
    assertRejected(b -> b.maxDelay(tooLong),
        "Invalid durable-tracker setting maxDelay: " + tooLong + " (expected at most 36500 days)");
    assertRejected(b -> b.requestTimeout(tooLong),
        "Invalid durable-tracker setting requestTimeout: " + tooLong + " (expected at most 36500 days)");
    assertRejected(b -> b.shutdownTimeout(tooLong),
        "Invalid durable-tracker setting shutdownTimeout: " + tooLong + " (expected at most 36500 days)");
    assertThat(valid().flushInterval(HttpBatchTrackerConfig.MAX_DURATION).build().flushInterval())
        .isEqualTo(HttpBatchTrackerConfig.MAX_DURATION);
  }

  @Test
  void aHeaderValueMayUseEveryLatin1CharacterButNotControlCharacters() {
    assertThat(valid().header("x-name", "caf\u00e9 \u00ff\tend").build().headers()).containsEntry("x-name", "caf\u00e9 \u00ff\tend");
  }

  @Test
  void theDescriptionSaysWhichOptionalPartsAreSetWithoutShowingThem() throws Exception {
    assertThat(valid().build().toString())
        .contains("sslContext=JVM default", "headerSupplier=none", "spool=none");
    String described =
        valid()
            .sslContext(javax.net.ssl.SSLContext.getDefault())
            .headers(() -> java.util.Map.of("authorization", "Bearer secret-token"))
            .build()
            .toString();
    assertThat(described).contains("sslContext=custom", "headerSupplier=set").doesNotContain("secret-token");
  }

  @Test
  void aMapOfHeadersReplacesEveryHeaderSetBefore() {
    HttpBatchTrackerConfig config =
        valid().header("X-Old", "1").headers(java.util.Map.of("X-Api-Key", "k")).build();

    assertThat(config.headers()).containsExactly(java.util.Map.entry("X-Api-Key", "k"));
  }

  @Test
  void anEndpointThatIsNotAUrlIsShownWithoutItsCredentialsOrQuery() {
    assertRejected(b -> b.endpoint("http://user:pw@host name/x?token=abc"),
        "Invalid durable-tracker setting endpoint: 'http://***@host name/x' (expected an absolute http or https URL with a host)");
    assertRejected(b -> b.endpoint("://user:pw@host/x"),
        "Invalid durable-tracker setting endpoint: '://***@host/x' (expected an absolute http or https URL with a host)");
  }

  @Test
  void theExceptionCarriesTheSettingTheValueAndWhatIsValidForCallersToReport() {
    assertThatThrownBy(() -> valid().batchSize(0).build())
        .isInstanceOfSatisfying(InvalidSettingException.class, e -> {
          assertThat(e.setting()).isEqualTo("batchSize");
          assertThat(e.value()).isEqualTo("0");
          assertThat(e.expected()).isEqualTo("a number greater than 0");
        });
    assertThatThrownBy(() -> valid().env(null).build())
        .isInstanceOfSatisfying(InvalidSettingException.class, e -> {
          assertThat(e.setting()).isEqualTo("env");
          assertThat(e.value()).isNull();
          assertThat(e.expected()).isEqualTo("a value");
        });
  }
}
