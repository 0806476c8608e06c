package dev.durableeffect.tracker.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.durableeffect.tracker.EventTracker;
import dev.durableeffect.tracker.EventTracking;
import dev.durableeffect.tracker.InMemoryTracker;
import dev.durableeffect.tracker.NoopTracker;
import dev.durableeffect.tracker.TrackerStats;
import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.event.WorkflowEvents;
import dev.durableeffect.tracker.http.Compression;
import dev.durableeffect.tracker.http.HttpBatchTracker;
import dev.durableeffect.tracker.http.HttpBatchTrackerConfig;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

@ExtendWith(OutputCaptureExtension.class)
class DurableTrackerAutoConfigurationTest {

  private final ApplicationContextRunner contextRunner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(DurableTrackerAutoConfiguration.class));

  @Test
  void defaultsToNoopWithoutAnEndpointAndSaysHowToTurnTrackingOn(CapturedOutput output) {
    contextRunner.run(
        context -> {
          assertThat(context).hasSingleBean(NoopTracker.class);
          assertThat(context).hasSingleBean(TrackerLifecycle.class);
          assertThat(EventTracking.current()).containsInstanceOf(NoopTracker.class);
        });
    assertThat(output).contains("tracking is off", "set durable.tracker.endpoint");
  }

  @Test
  void defaultsToHttpWhenAnEndpointIsSet() {
    contextRunner
        .withPropertyValues(
            "durable.tracker.endpoint=http://localhost:9/ingest", "spring.application.name=orders")
        .run(
            context -> {
              assertThat(context).hasSingleBean(HttpBatchTracker.class);
              assertThat(context.getBean(EventTracker.class)).isInstanceOf(HttpBatchTracker.class);
            });
  }

  @Test
  void selectsTheInMemoryTrackerWithRelaxedTypeNames() {
    for (String type : new String[] {"in-memory", "IN_MEMORY", "inMemory"}) {
      contextRunner
          .withPropertyValues("durable.tracker.type=" + type)
          .run(
              context -> {
                assertThat(context).hasSingleBean(InMemoryTracker.class);
                InMemoryTracker tracker = context.getBean(InMemoryTracker.class);
                EventTracking.emitEvent(event());
                assertThat(tracker.getEvents()).hasSize(1);
              });
    }
  }

  @Test
  void selectsNoopExplicitlyEvenWithAnEndpoint(CapturedOutput output) {
    contextRunner
        .withPropertyValues("durable.tracker.type=noop", "durable.tracker.endpoint=http://localhost:9/x")
        .run(context -> assertThat(context).hasSingleBean(NoopTracker.class).doesNotHaveBean(HttpBatchTracker.class));
    assertThat(output).doesNotContain("tracking is off");
  }

  @Test
  void selectsHttpExplicitly() {
    contextRunner
        .withPropertyValues(
            "durable.tracker.type=http",
            "durable.tracker.endpoint=https://events.example.com/ingest",
            "durable.tracker.service-key=orders")
        .run(context -> assertThat(context).hasSingleBean(HttpBatchTracker.class));
  }

  @Test
  void backsOffWhenUserDefinesTrackerAndGivesItTheSameLifecycle() {
    contextRunner
        .withUserConfiguration(UserTrackerConfiguration.class)
        .withPropertyValues("durable.tracker.type=in-memory", "durable.tracker.endpoint=http://localhost:9/x")
        .run(
            context -> {
              assertThat(context).hasSingleBean(EventTracker.class);
              assertThat(context).doesNotHaveBean(InMemoryTracker.class);
              CountingTracker tracker = context.getBean(CountingTracker.class);
              assertThat(EventTracking.current()).containsSame(tracker);
              context.close();
              assertThat(tracker.closes.get()).isPositive();
              // Still registered once closed, so a late emit is the tracker's to count.
              EventTracking.emitEvent(event());
              assertThat(tracker.emits.get()).isEqualTo(1);
            });
  }

  @Test
  void enabledFalseRegistersNoTrackerAndLeavesTheFacadeANoop() {
    EventTracking.current().ifPresent(EventTracking::unregister);
    contextRunner
        .withPropertyValues("durable.tracker.enabled=false", "durable.tracker.endpoint=http://localhost:9/x")
        .run(
            context -> {
              assertThat(context).doesNotHaveBean(EventTracker.class);
              assertThat(context).doesNotHaveBean(TrackerLifecycle.class);
              assertThat(EventTracking.current()).isEmpty();
            });
  }

  @Test
  void bindsEveryPropertyIntoTheTrackerConfig() {
    contextRunner
        .withPropertyValues(
            "durable.tracker.endpoint=https://events.example.com/ingest",
            "durable.tracker.env=staging",
            "durable.tracker.service-key=orders",
            "durable.tracker.batch-size=250",
            "durable.tracker.max-batch-size=750",
            "durable.tracker.flush-interval=2s",
            "durable.tracker.headers.Authorization=Bearer abc",
            "durable.tracker.headers.X-Api-Key=k-1",
            "durable.tracker.retry.max-attempts=5",
            "durable.tracker.retry.initial-delay=250",
            "durable.tracker.retry.max-delay=1m",
            "durable.tracker.max-queue-size=500",
            "durable.tracker.request-timeout=1500",
            "durable.tracker.compression=none",
            "durable.tracker.max-batch-bytes=2MB",
            "durable.tracker.max-event-bytes=65536",
            "durable.tracker.shutdown-timeout=3s")
        .run(
            context -> {
              HttpBatchTrackerConfig config = context.getBean(HttpBatchTracker.class).config();
              assertThat(config.endpoint()).isEqualTo(URI.create("https://events.example.com/ingest"));
              assertThat(config.env()).isEqualTo("staging");
              assertThat(config.serviceKey()).isEqualTo("orders");
              assertThat(config.batchSize()).isEqualTo(250);
              assertThat(config.maxBatchSize()).isEqualTo(750);
              assertThat(config.flushInterval()).isEqualTo(Duration.ofSeconds(2));
              assertThat(config.headers())
                  .containsExactlyInAnyOrderEntriesOf(Map.of("Authorization", "Bearer abc", "X-Api-Key", "k-1"));
              assertThat(config.maxAttempts()).isEqualTo(5);
              assertThat(config.initialDelay()).isEqualTo(Duration.ofMillis(250));
              assertThat(config.maxDelay()).isEqualTo(Duration.ofMinutes(1));
              assertThat(config.maxQueueSize()).isEqualTo(500);
              assertThat(config.requestTimeout()).isEqualTo(Duration.ofMillis(1500));
              assertThat(config.compression()).isEqualTo(Compression.NONE);
              assertThat(config.maxBatchBytes()).isEqualTo(2 * 1024 * 1024);
              assertThat(config.maxEventBytes()).isEqualTo(65536);
              assertThat(config.shutdownTimeout()).isEqualTo(Duration.ofSeconds(3));
            });
  }

  @Test
  void usesTheDocumentedDefaults() {
    contextRunner
        .withPropertyValues("durable.tracker.endpoint=http://localhost:9/x", "spring.application.name=billing")
        .run(
            context -> {
              // The README's configuration table, value by value.
              HttpBatchTrackerConfig config = context.getBean(HttpBatchTracker.class).config();
              assertThat(config.endpoint()).isEqualTo(URI.create("http://localhost:9/x"));
              assertThat(config.env()).isEqualTo("default");
              assertThat(config.serviceKey()).isEqualTo("billing");
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
              DurableTrackerProperties properties = context.getBean(DurableTrackerProperties.class);
              assertThat(properties.enabled()).isTrue();
              assertThat(properties.health().failingAfter()).isEqualTo(Duration.ofMinutes(1));
              assertThat(properties.health().failingStatus()).isEqualTo("DOWN");
            });
  }

  @Test
  void envDefaultsToTheFirstActiveProfile() {
    contextRunner
        .withPropertyValues(
            "durable.tracker.endpoint=http://localhost:9/x",
            "spring.application.name=billing",
            "spring.profiles.active=prod,eu")
        .run(context -> assertThat(context.getBean(HttpBatchTracker.class).config().env()).isEqualTo("prod"));
  }

  @Test
  void theApplicationsScheduledMethodsRunOnItsOwnSchedulerWithTheTrackerSending() {
    new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(TaskSchedulingAutoConfiguration.class, DurableTrackerAutoConfiguration.class))
        .withUserConfiguration(ScheduledWork.class)
        .withPropertyValues("durable.tracker.endpoint=http://localhost:9/x", "spring.application.name=a")
        .run(
            context -> {
              ScheduledWork work = context.getBean(ScheduledWork.class);
              context.getBean(EventTracker.class).emit(event());

              assertThat(work.ran.await(10, TimeUnit.SECONDS)).as("the @Scheduled method ran").isTrue();
              // Boot's scheduler, as without the starter: the tracker brings none that could take over.
              assertThat(context).hasSingleBean(TaskScheduler.class);
              assertThat(context.getBeanNamesForType(TaskScheduler.class)).containsExactly("taskScheduler");
              assertThat(work.thread).startsWith("scheduling-");
            });
  }

  @Configuration(proxyBeanMethods = false)
  @EnableScheduling
  static class ScheduledWork {
    final CountDownLatch ran = new CountDownLatch(3);
    volatile String thread = "";

    @Scheduled(fixedDelay = 10)
    void tick() {
      thread = Thread.currentThread().getName();
      ran.countDown();
    }
  }

  private static WorkflowEvent event() {
    return new WorkflowEvent.WorkflowResumed(WorkflowEvents.createBaseEvent("wf", "name"));
  }

  @Configuration(proxyBeanMethods = false)
  static class UserTrackerConfiguration {
    @Bean
    CountingTracker userTracker() {
      return new CountingTracker();
    }
  }

  static final class CountingTracker implements EventTracker {
    final AtomicInteger emits = new AtomicInteger();
    final AtomicInteger flushes = new AtomicInteger();
    final AtomicInteger closes = new AtomicInteger();

    @Override
    public void emit(WorkflowEvent event) {
      emits.incrementAndGet();
    }

    @Override
    public CompletableFuture<Void> flush() {
      flushes.incrementAndGet();
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public long pending() {
      return 0;
    }

    @Override
    public TrackerStats stats() {
      return TrackerStats.EMPTY;
    }

    @Override
    public void close() {
      closes.incrementAndGet();
    }
  }
}
