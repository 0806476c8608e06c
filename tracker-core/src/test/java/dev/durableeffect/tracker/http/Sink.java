package dev.durableeffect.tracker.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.durableeffect.tracker.EventTracker;
import dev.durableeffect.tracker.TrackerStats;
import dev.durableeffect.tracker.event.WireEvent;
import dev.durableeffect.tracker.json.EventJson;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Reads what a WireMock endpoint received, and checks the tracker's accounting. */
final class Sink {

  private Sink() {}

  /** The request body as JSON text, gunzipped when it was compressed. */
  static String body(LoggedRequest request) {
    byte[] body = request.getBody();
    if (body.length > 2 && (body[0] & 0xff) == 0x1f && (body[1] & 0xff) == 0x8b) {
      try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
        body = in.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return new String(body, java.nio.charset.StandardCharsets.UTF_8);
  }

  static List<WireEvent> events(LoggedRequest request) {
    return EventJson.fromBatchJson(body(request));
  }

  /** Every event in every request the endpoint answered with {@code status}. */
  static List<WireEvent> received(WireMockExtension server) {
    List<WireEvent> all = new ArrayList<>();
    for (LoggedRequest request : server.getAllServeEvents().stream()
        .sorted((a, b) -> a.getRequest().getLoggedDate().compareTo(b.getRequest().getLoggedDate()))
        .map(e -> e.getRequest())
        .toList()) {
      all.addAll(events(request));
    }
    return all;
  }

  static List<LoggedRequest> requests(WireMockExtension server) {
    return server.getAllServeEvents().stream()
        .map(e -> e.getRequest())
        .sorted((a, b) -> a.getLoggedDate().compareTo(b.getLoggedDate()))
        .toList();
  }

  /**
   * The settings the engine tests share: uncompressed bodies, no age-based sends, fast retries, and
   * requests of at most {@code batchSize} events unless a test lets batches grow.
   */
  static HttpBatchTrackerConfig.Builder testConfig(String endpoint) {
    return HttpBatchTrackerConfig.builder()
        .endpoint(endpoint)
        .env("test")
        .serviceKey("orders")
        .compression(Compression.NONE)
        .flushInterval(java.time.Duration.ofHours(1))
        .initialDelay(java.time.Duration.ofMillis(10))
        .maxDelay(java.time.Duration.ofMillis(50))
        .shutdownTimeout(java.time.Duration.ofSeconds(5))
        .maxBatchSize(1);
  }

  /** emitted + recovered = delivered + dropped + pending. */
  static void assertAccounted(EventTracker tracker) {
    TrackerStats stats = tracker.stats();
    assertThat(stats.emitted() + stats.recovered())
        .as("emitted + recovered == delivered + dropped + pending in %s", stats)
        .isEqualTo(stats.delivered() + stats.dropped() + stats.pending());
  }
}
