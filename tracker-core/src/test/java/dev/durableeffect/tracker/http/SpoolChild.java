package dev.durableeffect.tracker.http;

import dev.durableeffect.tracker.TrackerStats;
import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.event.WorkflowEvents;
import dev.durableeffect.tracker.spool.SpoolConfig;
import dev.durableeffect.tracker.spool.SpoolStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A process that tracks events with a spool, for the crash tests: {@code SpoolChild <directory>
 * <endpoint> <events> <maxBytes> <mode>}. It emits the events (workflows {@code wf-0..wf-4}, each
 * event numbered in its {@code input}), prints {@code EMITTED}, then in mode {@code hang} (where it
 * emits 1,000 events per second) waits to be killed, in mode {@code flush} flushes, closes, prints {@code STATS delivered dropped pending
 * spoolFailures} and exits.
 */
public final class SpoolChild {

  private SpoolChild() {}

  public static void main(String[] args) throws Exception {
    Path directory = Path.of(args[0]);
    String endpoint = args[1];
    int events = Integer.parseInt(args[2]);
    long maxBytes = Long.parseLong(args[3]);
    String mode = args[4];
    HttpBatchTracker tracker =
        HttpBatchTracker.create(
            HttpBatchTrackerConfig.builder()
                .endpoint(endpoint)
                .env("test")
                .serviceKey("crash")
                .compression(Compression.NONE)
                .initialDelay(Duration.ofMillis(50))
                .maxDelay(Duration.ofMillis(200))
                .requestTimeout(Duration.ofSeconds(2))
                .shutdownTimeout(Duration.ofSeconds(20))
                .maxQueueSize(Math.max(10_000, events))
                .spool(SpoolConfig.builder(directory).maxBytes(maxBytes).build())
                .build());
    for (int i = 0; i < events; i++) {
      tracker.emit(event(i));
      if (mode.equals("hang") && i % 100 == 99) {
        // A workflow application's pace (1,000 events/s), not a burst at JVM start: the guarantee
        // assumes the sender keeps up, which a cold JVM on a busy machine may not for a burst.
        Thread.sleep(100);
      }
    }
    if (mode.equals("hang")) {
      // The guarantee assumes the sender keeps up; on a machine loaded by other builds a cold JVM
      // may not at once. Announce only once every event has left the queue for the spool.
      while (tracker.queueSize() > 0) {
        Thread.sleep(10);
      }
    }
    System.out.println("EMITTED " + events);
    System.out.flush();
    if (mode.equals("hang")) {
      Thread.sleep(Long.MAX_VALUE);
    }
    tracker.flush(Duration.ofSeconds(30));
    SpoolStatus spool = tracker.spoolStatus();
    tracker.close();
    TrackerStats stats = tracker.stats();
    System.out.println(
        "STATS "
            + stats.delivered()
            + " "
            + stats.dropped()
            + " "
            + stats.pending()
            + " "
            + (spool == null ? -1 : spool.failures()));
    System.out.flush();
  }

  /** Event {@code i}: workflow {@code wf-(i % 5)}, {@code input.n = i}, about 300 bytes of JSON. */
  static WorkflowEvent event(int i) {
    return new WorkflowEvent.WorkflowStarted(
        WorkflowEvents.createBaseEvent("wf-" + (i % 5), "crash-test", "exec-" + (i % 5)),
        Map.of("n", i, "padding", "x".repeat(120)));
  }
}
