package dev.durableeffect.tracker.autoconfigure;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.event.WorkflowEvents;
import dev.durableeffect.tracker.http.HttpBatchTracker;
import dev.durableeffect.tracker.spool.SpoolConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * {@code durable.tracker.spool.*} in a real context: the directory turns the spool on with the
 * documented defaults, the spool shows in metrics and health, what the context could not deliver
 * at shutdown is delivered by the next one, and bad values fail startup naming the property.
 */
class SpoolPropertiesTest {

  @RegisterExtension
  static WireMockExtension server = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  @TempDir Path directory;

  private ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(BootLine.metrics())
        .withConfiguration(
            AutoConfigurations.of(
                DurableTrackerAutoConfiguration.class,
                DurableTrackerMetricsAutoConfiguration.class,
                DurableTrackerHealthAutoConfiguration.class))
        .withPropertyValues(
            "durable.tracker.endpoint=" + server.baseUrl() + "/ingest",
            "durable.tracker.service-key=orders",
            "durable.tracker.flush-interval=100ms",
            "durable.tracker.shutdown-timeout=300ms",
            "durable.tracker.spool.directory=" + directory);
  }

  private static WorkflowEvent event(int i) {
    return new WorkflowEvent.StepStarted(WorkflowEvents.createBaseEvent("wf-" + i, "order"), "s", 1);
  }

  @Test
  void theDirectoryTurnsTheSpoolOnWithTheDocumentedDefaults() {
    runner()
        .run(
            context -> {
              SpoolConfig spool = context.getBean(HttpBatchTracker.class).config().spool();
              assertThat(spool).isNotNull();
              assertThat(spool.directory()).isEqualTo(directory);
              assertThat(spool.maxBytes()).isEqualTo(256L * 1024 * 1024);
              assertThat(spool.maxAge()).isEqualTo(Duration.ofDays(7));
              assertThat(spool.syncInterval()).isEqualTo(Duration.ofSeconds(1));
            });
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(DurableTrackerAutoConfiguration.class))
        .withPropertyValues("durable.tracker.endpoint=http://localhost:9/ingest", "durable.tracker.service-key=orders")
        .run(context -> assertThat(context.getBean(HttpBatchTracker.class).config().spool()).isNull());
  }

  @Test
  void theSpoolShowsInMetricsAndHealthAndOutlivesTheContext() {
    server.stubFor(post(urlEqualTo("/ingest")).willReturn(aResponse().withStatus(503)));
    runner()
        .withPropertyValues("durable.tracker.spool.max-size=2MB", "durable.tracker.spool.sync-interval=0")
        .run(
            context -> {
              HttpBatchTracker tracker = context.getBean(HttpBatchTracker.class);
              assertThat(tracker.config().spool().maxBytes()).isEqualTo(2L * 1024 * 1024);
              assertThat(tracker.config().spool().syncInterval()).isZero();
              for (int i = 0; i < 20; i++) {
                tracker.emit(event(i));
              }
              MeterRegistry registry = context.getBean(MeterRegistry.class);
              await().until(() -> registry.get("durable.tracker.spool.bytes").gauge().value() > 0);
              assertThat(registry.get("durable.tracker.spool.segments").gauge().value()).isEqualTo(1);
              await().until(() -> registry.get("durable.tracker.spool.oldest-age").timeGauge().value() > 0);

              Object indicator = context.getBean("durableTrackerHealthIndicator");
              @SuppressWarnings("unchecked")
              Map<String, Object> spool = (Map<String, Object>) BootLine.health(indicator).details().get("spool");
              assertThat(spool)
                  .containsEntry("directory", directory.toAbsolutePath().normalize().toString())
                  .containsEntry("segments", 1)
                  .containsEntry("failures", 0L);
            });

    server.resetAll();
    server.stubFor(post(urlEqualTo("/ingest")).willReturn(ok()));
    runner()
        .run(
            context -> {
              HttpBatchTracker tracker = context.getBean(HttpBatchTracker.class);
              assertThat(tracker.stats().recovered()).isEqualTo(20);
              assertThat(tracker.flush(Duration.ofSeconds(10))).isTrue();
              assertThat(tracker.stats().delivered()).isEqualTo(20);
              Object indicator = context.getBean("durableTrackerHealthIndicator");
              assertThat(BootLine.health(indicator).details()).containsEntry("recovered", 20L);
            });
  }
}
