package dev.durableeffect.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.durableeffect.tracker.event.WorkflowEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class InMemoryTrackerTest {

  @Test
  void keepsEveryEventFromEightConcurrentThreadsInPerThreadOrder() throws Exception {
    InMemoryTracker tracker = new InMemoryTracker();
    int threads = 8;
    int perThread = 5_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      done.add(
          pool.submit(
              () -> {
                start.await();
                for (int i = 0; i < perThread; i++) {
                  tracker.emit(TestEvents.numbered(thread * perThread + i));
                }
                return null;
              }));
    }
    start.countDown();
    for (Future<?> f : done) {
      f.get();
    }
    pool.shutdown();

    List<WorkflowEvent> events = tracker.getEvents();
    assertThat(events).hasSize(threads * perThread);
    assertThat(events.stream().map(e -> e.base().eventId()).distinct()).hasSize(threads * perThread);
    for (int t = 0; t < threads; t++) {
      int thread = t;
      List<Integer> order =
          events.stream()
              .map(e -> Integer.parseInt(e.base().workflowId().substring(3)))
              .filter(n -> n / perThread == thread)
              .toList();
      assertThat(order).isSorted();
    }
    TrackerStats stats = tracker.stats();
    assertThat(stats.emitted()).isEqualTo(stats.delivered() + stats.dropped() + stats.pending());
  }

  @Test
  void countsNullEventsAsInvalidWithoutThrowing() {
    InMemoryTracker tracker = new InMemoryTracker();

    tracker.emit(null);

    assertThat(tracker.getEvents()).isEmpty();
    assertThat(tracker.stats().dropped(DropReason.INVALID)).isEqualTo(1);
    assertThat(tracker.stats().emitted()).isEqualTo(1);
  }
}
