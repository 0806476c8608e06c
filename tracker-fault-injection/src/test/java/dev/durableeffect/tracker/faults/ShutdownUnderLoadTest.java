package dev.durableeffect.tracker.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.durableeffect.tracker.DropReason;
import dev.durableeffect.tracker.TrackerStats;
import dev.durableeffect.tracker.autoconfigure.DurableTrackerAutoConfiguration;
import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.event.WorkflowEvents;
import dev.durableeffect.tracker.http.HttpBatchTracker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

/** Closing a Spring context with the starter while threads keep emitting and the sink hangs. */
@ExtendWith(SeedReporter.class)
class ShutdownUnderLoadTest {

  @Configuration(proxyBeanMethods = false)
  @ImportAutoConfiguration(DurableTrackerAutoConfiguration.class)
  static class App {}

  @Test
  void closingWhileEmittingDeliversOrCountsEverythingAndReturnsWithinTheShutdownTimeout() throws Exception {
    Duration shutdownTimeout = Duration.ofSeconds(2);
    try (FaultySink sink = new FaultySink(SeedReporter.SEED, Integer.MAX_VALUE, Duration.ofMillis(700), "1")) {
      ConfigurableApplicationContext context =
          new SpringApplicationBuilder(App.class)
              .web(WebApplicationType.NONE)
              .properties(
                  "durable.tracker.endpoint=" + sink.endpoint(),
                  "durable.tracker.service-key=faults",
                  "durable.tracker.batch-size=100",
                  "durable.tracker.flush-interval=50ms",
                  "durable.tracker.request-timeout=5s",
                  "durable.tracker.retry.initial-delay=20ms",
                  "durable.tracker.retry.max-delay=100ms",
                  "durable.tracker.shutdown-timeout=" + shutdownTimeout.toMillis() + "ms")
              .run();
      sink.mode(FaultySink.Mode.HEALTHY);
      HttpBatchTracker tracker = context.getBean(HttpBatchTracker.class);
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicLong emitted = new AtomicLong();
      EmitLatency latency = new EmitLatency();
      CountDownLatch warm = new CountDownLatch(4);
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        Thread thread =
            new Thread(
                () -> {
                  EmitLatency.Recorder recorder = new EmitLatency.Recorder();
                  long count = 0;
                  while (running.get()) {
                    List<WorkflowEvent> events = new ArrayList<>(50);
                    for (int i = 0; i < 50; i++) {
                      events.add(new WorkflowEvent.StepStarted(WorkflowEvents.createBaseEvent("wf", "shutdown"), "s", 1));
                    }
                    recorder.emitAll(tracker, events, emitted::incrementAndGet);
                    count += events.size();
                    if (count == 1_000) {
                      warm.countDown();
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
                  }
                  latency.add(recorder);
                });
        thread.start();
        threads.add(thread);
      }
      warm.await();
      Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> tracker.stats().delivered() >= 5_000);
      sink.mode(FaultySink.Mode.HANG);

      long start = System.nanoTime();
      context.close();
      Duration closing = Duration.ofNanos(System.nanoTime() - start);
      // Taken before the emits that follow close, which are CLOSED too: only what close() itself
      // gave up on (stuck at the hang, or racing it) is counted here.
      TrackerStats atClose = tracker.stats();

      long emittedAtClose = emitted.get();
      Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> emitted.get() > emittedAtClose + 1_000);
      running.set(false);
      for (Thread thread : threads) {
        thread.join();
      }

      TrackerStats stats = tracker.stats();
      List<String> hung;
      synchronized (sink.requests) {
        hung = sink.requests.stream().filter(r -> r.fault() == FaultySink.Fault.HANG).flatMap(r -> r.ids().stream()).toList();
      }
      System.out.println("closed in " + closing.toMillis() + " ms; at close " + atClose + "; " + hung.size()
          + " events in hung requests; finally " + stats + "; " + latency.summary());
      assertThat(closing).isLessThan(shutdownTimeout.plusSeconds(3));
      assertThat(hung).as("the sink's hang was reached: requests were in flight when the context closed").isNotEmpty();
      assertThat(sink.acknowledged).doesNotContainAnyElementsOf(hung);
      assertThat(atClose.pending()).isZero();
      assertThat(atClose.delivered()).as("delivered means acknowledged by the sink").isLessThanOrEqualTo(sink.acknowledged.size());
      assertThat(atClose.dropped(DropReason.CLOSED))
          .as("close() counted the events stuck at the hang as CLOSED")
          .isGreaterThanOrEqualTo(hung.size());
      assertThat(stats.dropped(DropReason.CLOSED) - atClose.dropped(DropReason.CLOSED))
          .as("every emit after close is CLOSED")
          .isGreaterThanOrEqualTo(1_000);
      assertThat(stats.emitted()).isEqualTo(emitted.get());
      assertThat(stats.pending()).isZero();
      assertThat(stats.emitted()).isEqualTo(stats.delivered() + stats.dropped());
      assertThat(stats.delivered()).isPositive();
      assertThat(stats.dropped())
          .as("only events emitted after close, stuck at the hang, or beyond the queue are dropped")
          .isEqualTo(stats.dropped(DropReason.CLOSED) + stats.dropped(DropReason.QUEUE_FULL));
      latency.assertCallersNeverWaited();
    }
  }
}
