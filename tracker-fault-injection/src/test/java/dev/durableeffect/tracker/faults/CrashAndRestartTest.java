package dev.durableeffect.tracker.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.durableeffect.tracker.TrackerStats;
import dev.durableeffect.tracker.http.Compression;
import dev.durableeffect.tracker.http.HttpBatchTracker;
import dev.durableeffect.tracker.http.HttpBatchTrackerConfig;
import dev.durableeffect.tracker.spool.SpoolConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash and restart during the storm: a child JVM with a disk spool emits 20,000 events from two
 * threads into the storm endpoint and is killed with SIGKILL one second later, mid-delivery; a
 * tracker started on the same directory against the (now healthy) endpoint delivers the rest.
 * Every event reaches the endpoint, or was refused by it with a 400 (the storm's only drop).
 */
@ExtendWith(SeedReporter.class)
class CrashAndRestartTest {

  private static final int EVENTS = 20_000;

  @TempDir Path directory;

  @Test
  void everyEventEmittedBeforeTheKillArrivesAfterTheRestart() throws Exception {
    System.out.println("crash-and-restart scenario, seed " + SeedReporter.SEED);
    try (FaultySink sink = new FaultySink(SeedReporter.SEED, 80 * 1024, Duration.ofMillis(700), "1")) {
      Process child = startChild(sink.endpoint());
      try {
        awaitEmitted(child);
        // The guarantee's premise: every emit returned at least one second before the kill, and the
        // child is still running then.
        await().pollDelay(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(10)).until(child::isAlive);
      } finally {
        child.destroyForcibly(); // SIGKILL, mid-storm
      }
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      int beforeRestart = sink.processed.size();

      sink.mode(FaultySink.Mode.HEALTHY);
      HttpBatchTracker tracker =
          HttpBatchTracker.create(
              HttpBatchTrackerConfig.builder()
                  .endpoint(sink.endpoint())
                  .env("faults")
                  .serviceKey("crash")
                  .compression(Compression.NONE)
                  .batchSize(500)
                  .flushInterval(Duration.ofMillis(100))
                  .spool(SpoolConfig.builder(directory).build())
                  .build());
      try {
        TrackerStats recovered = tracker.stats();
        assertThat(tracker.flush(Duration.ofSeconds(60))).isTrue();
        TrackerStats stats = tracker.stats();
        System.out.printf(
            "crash-and-restart: %d events stored before the kill, %d recovered, %d delivered after, requests %s%n",
            beforeRestart, recovered.recovered(), stats.delivered(), sink.requestsByFault());
        assertThat(stats.recovered()).isPositive();
        assertThat(stats.delivered() + stats.dropped()).isEqualTo(stats.recovered());

        Set<String> arrived = new HashSet<>(sink.processed.keySet());
        Set<String> refused = new HashSet<>();
        synchronized (sink.requests) {
          for (FaultySink.Request request : sink.requests) {
            if (request.fault() == FaultySink.Fault.BAD_REQUEST) {
              refused.addAll(request.ids());
            }
          }
        }
        List<Integer> missing =
            java.util.stream.IntStream.range(0, EVENTS)
                .filter(n -> !arrived.contains(StormChild.eventId(n)) && !refused.contains(StormChild.eventId(n)))
                .boxed()
                .toList();
        assertThat(missing).as("events neither stored by the endpoint nor refused by it").isEmpty();
      } finally {
        tracker.close();
      }
    }
  }

  private Process startChild(String endpoint) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(
            java,
            "-Xmx256m",
            "-cp",
            System.getProperty("java.class.path"),
            StormChild.class.getName(),
            directory.toString(),
            endpoint,
            String.valueOf(EVENTS))
        .redirectErrorStream(true)
        .start();
  }

  private static void awaitEmitted(Process child) throws Exception {
    BufferedReader reader =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    String line;
    StringBuilder seen = new StringBuilder();
    while ((line = reader.readLine()) != null) {
      if (line.startsWith("EMITTED")) {
        // Keep draining the child's output so it never blocks on a full pipe.
        Thread drain = new Thread(() -> reader.lines().forEach(l -> {}));
        drain.setDaemon(true);
        drain.start();
        return;
      }
      seen.append(line).append('\n');
    }
    throw new AssertionError("the child exited without emitting; it printed:\n" + seen);
  }
}
