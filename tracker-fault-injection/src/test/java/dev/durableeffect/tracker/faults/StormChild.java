package dev.durableeffect.tracker.faults;

import dev.durableeffect.tracker.event.BaseEvent;
import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.http.Compression;
import dev.durableeffect.tracker.http.HttpBatchTracker;
import dev.durableeffect.tracker.http.HttpBatchTrackerConfig;
import dev.durableeffect.tracker.spool.SpoolConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * The process killed in the crash-and-restart scenario: {@code StormChild <spool directory>
 * <endpoint> <events>}. Two threads emit the events (event {@code n} has the id {@link #eventId}
 * and workflow {@code crash-n}) into a tracker with a spool, it prints {@code EMITTED}, and keeps
 * delivering through the storm until it is killed.
 */
public final class StormChild {

  private StormChild() {}

  public static void main(String[] args) throws Exception {
    int events = Integer.parseInt(args[2]);
    HttpBatchTracker tracker =
        HttpBatchTracker.create(
            HttpBatchTrackerConfig.builder()
                .endpoint(args[1])
                .env("faults")
                .serviceKey("crash")
                .compression(Compression.NONE)
                .batchSize(200)
                .maxBatchSize(200)
                .flushInterval(Duration.ofMillis(100))
                .requestTimeout(Duration.ofMillis(400))
                .initialDelay(Duration.ofMillis(20))
                .maxDelay(Duration.ofMillis(200))
                .maxQueueSize(events)
                .spool(SpoolConfig.builder(Path.of(args[0])).build())
                .build());
    Thread[] threads = new Thread[2];
    for (int t = 0; t < threads.length; t++) {
      int first = t;
      threads[t] =
          new Thread(
              () -> {
                for (int n = first; n < events; n += threads.length) {
                  tracker.emit(event(n));
                  if (n % 100 == first) {
                    // 5,000 events/s in all: a busy service's pace, not a burst at JVM start.
                    java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
                  }
                }
              });
      threads[t].start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    // The guarantee assumes the sender keeps up; on a machine loaded by other builds a cold JVM may
    // not at once. Announce only once every event has left the queue for the spool.
    while (tracker.queueSize() > 0) {
      Thread.sleep(10);
    }
    System.out.println("EMITTED " + events);
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }

  /** A UUID-shaped id that names event {@code n}. */
  static String eventId(int n) {
    return String.format("00000000-0000-7000-8000-%012d", n);
  }

  static WorkflowEvent event(int n) {
    return new WorkflowEvent.StepCompleted(
        new BaseEvent(eventId(n), Instant.now(), "crash-" + n, "storm", "exec-" + n), "step", 1, 5, false);
  }
}
