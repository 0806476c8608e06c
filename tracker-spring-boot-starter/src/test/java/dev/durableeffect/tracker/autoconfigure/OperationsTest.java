package dev.durableeffect.tracker.autoconfigure;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.status;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.durableeffect.tracker.EventTracker;
import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.event.WorkflowEvents;
import dev.durableeffect.tracker.http.HttpBatchTracker;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Metrics and health, on whichever Boot line the tests run. */
class OperationsTest {

  @RegisterExtension
  static WireMockExtension server =
      WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  private ApplicationContextRunner runner;

  @BeforeEach
  void setUp() {
    runner = runner("Authorization");
  }

  /** The test application, with a secret header under {@code secretHeader}. */
  private static ApplicationContextRunner runner(String secretHeader) {
    return new ApplicationContextRunner()
            .withConfiguration(BootLine.metrics())
            .withConfiguration(AutoConfigurations.of(DurableTrackerAutoConfiguration.class, DurableTrackerMetricsAutoConfiguration.class, DurableTrackerHealthAutoConfiguration.class))
            .withPropertyValues(
                "durable.tracker.endpoint=" + server.baseUrl() + "/ingest",
                "durable.tracker.service-key=orders",
                "durable.tracker.compression=none",
                "durable.tracker.flush-interval=1h",
                "durable.tracker.shutdown-timeout=500ms",
                "durable.tracker.headers." + secretHeader + "=Bearer super-secret-token");
  }

  /** Keeps retrying a failing endpoint quickly, so health can be watched going down and up. */
  private static final String[] RETRY_FOREVER = {
    "durable.tracker.batch-size=1",
    "durable.tracker.max-batch-size=1",
    "durable.tracker.retry.max-attempts=1000",
    "durable.tracker.retry.initial-delay=20ms",
    "durable.tracker.retry.max-delay=50ms"
  };

  private static WorkflowEvent event(String workflowId) {
    return new WorkflowEvent.StepStarted(WorkflowEvents.createBaseEvent(workflowId, "order"), "s", 1);
  }

  private static void emit(EventTracker tracker, String workflowId, int count) {
    for (int i = 0; i < count; i++) {
      tracker.emit(event(workflowId));
    }
  }

  @Test
  void metersShowDeliveriesRejectionsAndQueueFullDrops() {
    server.stubFor(post(urlEqualTo("/ingest")).willReturn(ok()).atPriority(5));
    server.stubFor(post(urlEqualTo("/ingest")).withRequestBody(containing("wf-bad")).willReturn(status(400)).atPriority(1));
    runner
        .withPropertyValues("durable.tracker.batch-size=100", "durable.tracker.max-queue-size=10")
        .run(
            context -> {
              HttpBatchTracker tracker = context.getBean(HttpBatchTracker.class);
              MeterRegistry registry = context.getBean(MeterRegistry.class);

              emit(tracker, "wf-ok", 5);
              assertThat(tracker.flush(Duration.ofSeconds(5))).isTrue();
              emit(tracker, "wf-bad", 5);
              assertThat(tracker.flush(Duration.ofSeconds(5))).isTrue();
              emit(tracker, "wf-ok", 12);
              assertThat(tracker.flush(Duration.ofSeconds(5))).isTrue();

              assertThat(events(registry, "emitted", null)).isEqualTo(22);
              assertThat(events(registry, "delivered", null)).isEqualTo(15);
              assertThat(events(registry, "dropped", "REJECTED")).isEqualTo(5);
              assertThat(events(registry, "dropped", "QUEUE_FULL")).isEqualTo(2);
              assertThat(events(registry, "dropped", "RETRIES_EXHAUSTED")).isZero();
              assertThat(registry.get("durable.tracker.send").tag("status", "200").tag("outcome", "success").timer().count())
                  .isEqualTo(2);
              assertThat(registry.get("durable.tracker.send").tag("status", "400").tag("outcome", "rejected").timer().count())
                  .isEqualTo(1);
              assertThat(registry.get("durable.tracker.batch.size").summary().totalAmount()).isEqualTo(15);
              assertThat(registry.get("durable.tracker.queue.capacity").gauge().value()).isEqualTo(10);
              assertThat(registry.get("durable.tracker.queue.size").gauge().value()).isZero();
              assertThat(registry.get("durable.tracker.events").meters())
                  .allSatisfy(m -> assertThat(m.getId().getTag("tracker.type")).isEqualTo("http"));
            });
  }

  private static double events(MeterRegistry registry, String outcome, String reason) {
    var search = registry.get("durable.tracker.events").tag("outcome", outcome);
    if (reason != null) {
      search = search.tag("reason", reason);
    }
    return search.functionCounter().count();
  }

  @Test
  void theBatchSizeSummaryExistsOnceFromTheStartAndEachStatusGetsOneTimer() {
    server.stubFor(post(urlEqualTo("/ingest")).willReturn(ok()));
    runner
        .withPropertyValues("durable.tracker.batch-size=2", "durable.tracker.max-batch-size=2")
        .run(
            context -> {
              MeterRegistry registry = context.getBean(MeterRegistry.class);
              assertThat(registry.get("durable.tracker.batch.size").summaries()).singleElement()
                  .satisfies(summary -> assertThat(summary.count()).isZero());
              EventTracker tracker = context.getBean(EventTracker.class);

              emit(tracker, "wf", 6);
              assertThat(tracker.flush(Duration.ofSeconds(5))).isTrue();

              assertThat(registry.get("durable.tracker.batch.size").summaries()).singleElement()
                  .satisfies(summary -> {
                    assertThat(summary.totalAmount()).isEqualTo(6);
                    assertThat(summary.max()).isLessThanOrEqualTo(2);
                  });
              // Batches of at most 2: three requests, or more when an event waited alone past the
              // flush interval on a stalled machine; each request is timed once.
              long requests = registry.get("durable.tracker.batch.size").summary().count();
              assertThat(requests).isBetween(3L, 6L);
              assertThat(registry.get("durable.tracker.send").timers()).singleElement()
                  .satisfies(timer -> {
                    assertThat(timer.getId().getTag("status")).isEqualTo("200");
                    assertThat(timer.count()).isEqualTo(requests);
                  });
            });
  }

  @Test
  void anApplicationsOwnTrackerMetricsReplaceTheStarters() {
    runner
        .withPropertyValues("durable.tracker.type=in-memory")
        .withUserConfiguration(OwnMetrics.class)
        .run(
            context -> {
              assertThat(context).hasSingleBean(TrackerMetrics.class);
              assertThat(context.getBean(TrackerMetrics.class)).isSameAs(context.getBean("ownTrackerMetrics"));
            });
  }

  @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
  static class OwnMetrics {
    @org.springframework.context.annotation.Bean
    TrackerMetrics ownTrackerMetrics() {
      return new TrackerMetrics(new dev.durableeffect.tracker.InMemoryTracker());
    }
  }

  @Test
  void inMemoryTrackersGetEventMetersToo() {
    runner
        .withPropertyValues("durable.tracker.type=in-memory")
        .run(
            context -> {
              EventTracker tracker = context.getBean(EventTracker.class);
              emit(tracker, "wf", 3);
              MeterRegistry registry = context.getBean(MeterRegistry.class);
              assertThat(registry.get("durable.tracker.events").tag("outcome", "emitted").tag("tracker.type", "in-memory")
                  .functionCounter().count()).isEqualTo(3);
              assertThat(registry.get("durable.tracker.queue.size").gauge().value()).isEqualTo(3);
            });
  }

  @Test
  void worksWithoutMicrometerOnTheClasspath() {
    new ApplicationContextRunner()
        .withClassLoader(new FilteredClassLoader("io.micrometer"))
        .withConfiguration(AutoConfigurations.of(DurableTrackerAutoConfiguration.class, DurableTrackerMetricsAutoConfiguration.class, DurableTrackerHealthAutoConfiguration.class))
        .withPropertyValues("durable.tracker.type=in-memory")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).hasSingleBean(EventTracker.class);
              assertThat(context).doesNotHaveBean(TrackerMetrics.class);
            });
  }

  @Test
  void healthGoesDownWhileTheEndpointFailsAndUpAfterRecovery() {
    server.stubFor(post(urlEqualTo("/ingest")).willReturn(status(503)));
    runner
        .withPropertyValues(RETRY_FOREVER)
        .withPropertyValues("durable.tracker.health.failing-after=200ms")
        .run(
            context -> {
              Object indicator = context.getBean("durableTrackerHealthIndicator");
              assertThat(BootLine.health(indicator).status()).isEqualTo("UP");

              context.getBean(EventTracker.class).emit(event("wf-1"));

              await().atMost(Duration.ofSeconds(10)).until(() -> BootLine.health(indicator).status().equals("DOWN"));
              BootLine.HealthView down = BootLine.health(indicator);
              assertThat(down.details()).containsEntry("lastFailureReason", "HTTP 503").containsEntry("pending", 1L);
              assertThat(down.details().get("problem").toString()).contains("no request has succeeded");

              server.stubFor(post(urlEqualTo("/ingest")).willReturn(ok()));

              await().atMost(Duration.ofSeconds(10)).until(() -> BootLine.health(indicator).status().equals("UP"));
              BootLine.HealthView up = BootLine.health(indicator);
              assertThat(up.details()).containsEntry("delivered", 1L).containsEntry("pending", 0L).containsKey("lastSuccess");
            });
  }

  @Test
  void theFailingStatusIsConfigurable() {
    server.stubFor(post(urlEqualTo("/ingest")).willReturn(status(503)));
    runner
        .withPropertyValues(RETRY_FOREVER)
        .withPropertyValues(
            "durable.tracker.health.failing-after=100ms", "durable.tracker.health.failing-status=OUT_OF_SERVICE")
        .run(
            context -> {
              Object indicator = context.getBean("durableTrackerHealthIndicator");
              context.getBean(EventTracker.class).emit(event("wf-1"));
              await().atMost(Duration.ofSeconds(10))
                  .until(() -> BootLine.health(indicator).status().equals("OUT_OF_SERVICE"));
            });
  }

  @Test
  void healthShowsTheEndpointHostButNoHeaderValuesCredentialsOrQuery() throws Exception {
    server.stubFor(post(urlEqualTo("/ingest")).willReturn(ok()));
    // URL credentials become the Authorization header, so the secret header has another name here.
    runner("X-Api-Key")
        .withPropertyValues(
            "durable.tracker.endpoint=http://user:hunter2@localhost:" + server.getPort() + "/ingest?token=query-secret")
        .run(
            context -> {
              Object indicator = context.getBean("durableTrackerHealthIndicator");
              Object health = indicator.getClass().getMethod("health").invoke(indicator);
              String json = new ObjectMapper().writeValueAsString(health);

              assertThat(BootLine.health(indicator).details())
                  .containsEntry("endpoint", "http://localhost:" + server.getPort())
                  .containsEntry("type", "http");
              assertThat(json).contains("localhost")
                  .doesNotContain("super-secret-token", "Bearer", "hunter2", "query-secret", "Authorization", "Basic");
              assertThat(context.getBean(HttpBatchTracker.class).toString()).doesNotContain("hunter2", "query-secret");
            });
  }

  @Test
  void theHealthIndicatorTurnsOffWithBootsUsualSwitch() {
    runner
        .withPropertyValues("management.health.durable-tracker.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean("durableTrackerHealthIndicator"));
    runner
        .withPropertyValues("management.health.defaults.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean("durableTrackerHealthIndicator"));
    runner
        .withPropertyValues("management.health.defaults.enabled=false", "management.health.durable-tracker.enabled=true")
        .run(context -> assertThat(context).hasBean("durableTrackerHealthIndicator"));
  }

  /** A clock the test moves by hand. */
  static final class MovableClock extends Clock {
    private volatile Instant now = Instant.now();

    void advance(Duration duration) {
      now = now.plus(duration);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }

  @Test
  void healthStaysUpAfterFailingAfterWhenARequestFailedButNothingWaits() {
    server.stubFor(post(urlEqualTo("/ingest")).willReturn(status(400)));
    runner
        .withPropertyValues("durable.tracker.batch-size=1")
        .run(
            context -> {
              HttpBatchTracker tracker = context.getBean(HttpBatchTracker.class);
              MovableClock clock = new MovableClock();
              TrackerHealth health = new TrackerHealth(tracker, context.getBean(DurableTrackerProperties.class).health(), clock);
              tracker.emit(event("wf-rejected"));
              assertThat(tracker.flush(Duration.ofSeconds(5))).isTrue();
              assertThat(tracker.deliveryStatus().consecutiveFailures()).isEqualTo(1);
              assertThat(tracker.pending()).isZero();

              clock.advance(Duration.ofMinutes(2));

              assertThat(health.check().status()).as("nothing waits, so nothing is failing").isEqualTo("UP");
            });
  }

  @Test
  void healthStaysUpAfterFailingAfterWhileEventsWaitForARequestThatHasNotFailed() {
    server.stubFor(post(urlEqualTo("/ingest")).willReturn(ok().withFixedDelay(10_000)));
    runner
        .withPropertyValues("durable.tracker.batch-size=1", "durable.tracker.request-timeout=30s")
        .run(
            context -> {
              HttpBatchTracker tracker = context.getBean(HttpBatchTracker.class);
              MovableClock clock = new MovableClock();
              TrackerHealth health = new TrackerHealth(tracker, context.getBean(DurableTrackerProperties.class).health(), clock);
              tracker.emit(event("wf-slow"));
              await().until(() -> !server.getAllServeEvents().isEmpty());

              clock.advance(Duration.ofMinutes(2));

              assertThat(tracker.pending()).isEqualTo(1);
              assertThat(tracker.deliveryStatus().consecutiveFailures()).isZero();
              assertThat(health.check().status()).as("a slow request is not a failure").isEqualTo("UP");
            });
  }

  @Test
  void healthGoesDownByDefaultOneMinuteAfterTheLastSuccessWhileEventsWait() {
    server.stubFor(post(urlEqualTo("/ingest")).willReturn(status(503)));
    runner
        .withPropertyValues(RETRY_FOREVER)
        .run(
            context -> {
              HttpBatchTracker tracker = context.getBean(HttpBatchTracker.class);
              DurableTrackerProperties.Health defaults = context.getBean(DurableTrackerProperties.class).health();
              assertThat(defaults.failingAfter()).isEqualTo(Duration.ofMinutes(1));
              assertThat(defaults.failingStatus()).isEqualTo("DOWN");
              MovableClock clock = new MovableClock();
              TrackerHealth health = new TrackerHealth(tracker, defaults, clock);
              tracker.emit(event("wf-1"));
              await().until(() -> tracker.deliveryStatus().consecutiveFailures() > 0);

              clock.advance(Duration.ofSeconds(59));
              assertThat(health.check().status()).isEqualTo("UP");

              clock.advance(Duration.ofSeconds(2));
              assertThat(health.check().status()).isEqualTo("DOWN");
            });
  }

  @Test
  void theSendTimerTagsIoErrorsAndRetries() {
    server.stubFor(post(urlEqualTo("/ingest")).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    runner
        .withPropertyValues(RETRY_FOREVER)
        .run(
            context -> {
              MeterRegistry registry = context.getBean(MeterRegistry.class);
              context.getBean(EventTracker.class).emit(event("wf-1"));

              await().untilAsserted(
                  () -> assertThat(registry.find("durable.tracker.send").tag("status", "IO_ERROR").tag("outcome", "retry").timer())
                      .isNotNull()
                      .satisfies(timer -> assertThat(timer.count()).isPositive()));
              assertThat(registry.find("durable.tracker.send").tag("outcome", "success").timer()).isNull();
            });
  }

  @Test
  void metersAreTaggedNoopForTheNoopTrackerAndCustomForTheApplicationsOwn() {
    runner
        .withPropertyValues("durable.tracker.type=noop")
        .run(
            context -> {
              MeterRegistry registry = context.getBean(MeterRegistry.class);
              assertThat(registry.get("durable.tracker.events").meters())
                  .isNotEmpty()
                  .allSatisfy(m -> assertThat(m.getId().getTag("tracker.type")).isEqualTo("noop"));
              assertThat(registry.get("durable.tracker.queue.size").gauge().getId().getTag("tracker.type")).isEqualTo("noop");
            });
    runner
        .withUserConfiguration(ApplicationsOwnTracker.class)
        .run(
            context -> {
              MeterRegistry registry = context.getBean(MeterRegistry.class);
              context.getBean(EventTracker.class).emit(event("wf-1"));
              assertThat(registry.get("durable.tracker.events").tag("outcome", "emitted").tag("tracker.type", "custom")
                  .functionCounter().count()).isEqualTo(1);
              assertThat(registry.get("durable.tracker.events").meters())
                  .allSatisfy(m -> assertThat(m.getId().getTag("tracker.type")).isEqualTo("custom"));
            });
  }

  @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
  static class ApplicationsOwnTracker {
    @org.springframework.context.annotation.Bean
    EventTracker applicationsTracker() {
      return new EventTracker() {
        private final java.util.concurrent.atomic.AtomicLong emitted = new java.util.concurrent.atomic.AtomicLong();

        @Override
        public void emit(WorkflowEvent event) {
          emitted.incrementAndGet();
        }

        @Override
        public java.util.concurrent.CompletableFuture<Void> flush() {
          return java.util.concurrent.CompletableFuture.completedFuture(null);
        }

        @Override
        public long pending() {
          return 0;
        }

        @Override
        public dev.durableeffect.tracker.TrackerStats stats() {
          return new dev.durableeffect.tracker.TrackerStats(emitted.get(), emitted.get(), java.util.Map.of(), 0);
        }

        @Override
        public void close() {}
      };
    }
  }
}
