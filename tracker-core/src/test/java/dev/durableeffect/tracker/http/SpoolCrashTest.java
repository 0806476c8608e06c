package dev.durableeffect.tracker.http;

import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.durableeffect.tracker.http.Sink.assertAccounted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.durableeffect.tracker.DropReason;
import dev.durableeffect.tracker.TrackerStats;
import dev.durableeffect.tracker.event.WireEvent;
import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.spool.SpoolConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The spool's crash guarantees, with a real crash: a child JVM emits while the endpoint is down and
 * is killed with SIGKILL one second later; a tracker started on the same directory delivers every
 * event, even when the spool files were damaged in between (counting what damage destroyed as
 * {@code CORRUPT}), and a second process cannot take the directory while the first holds it.
 */
class SpoolCrashTest {

  /** A port nothing listens on: the endpoint is down (connection refused). */
  private static final String DOWN = "http://127.0.0.1:9/ingest";
  /** Events per crash: with 1 MiB spools (256 KiB segments) about three segments' worth. */
  private static final int EVENTS = 2_000;
  private static final long MAX_BYTES = 1024 * 1024;

  @RegisterExtension
  static WireMockExtension server = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  @TempDir Path directory;

  private final List<Process> children = new ArrayList<>();
  private final List<HttpBatchTracker> trackers = new ArrayList<>();

  @AfterEach
  void cleanUp() {
    children.forEach(Process::destroyForcibly);
    trackers.forEach(HttpBatchTracker::close);
  }

  enum Damage {
    NONE,
    FLIPPED_BYTES,
    TRUNCATED_TAIL,
    ZEROED_SEGMENT_HEADER,
    MISSING_CHECKPOINT
  }

  @ParameterizedTest
  @EnumSource(Damage.class)
  void eventsEmittedASecondBeforeSigkillAreDeliveredAfterTheNextStart(Damage damage) throws Exception {
    Process child = start(DOWN, EVENTS, "hang", null);
    awaitLine(child, "EMITTED");
    // The guarantee's premise: emit returned at least one second before the kill, and the child is
    // still running then (it did not end on its own).
    await()
        .pollDelay(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(10))
        .until(child::isAlive);
    child.destroyForcibly(); // SIGKILL
    assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).isEqualTo(137);

    damage(damage);

    server.stubFor(post(urlEqualTo("/ingest")).willReturn(ok()));
    HttpBatchTracker next = tracker();
    TrackerStats recovered = next.stats();
    await().atMost(Duration.ofSeconds(60)).until(() -> next.pending() == 0);
    assertThat(next.flush(Duration.ofSeconds(10))).isTrue();
    TrackerStats stats = next.stats();
    assertAccounted(next);

    List<WireEvent> received = Sink.received(server);
    Set<String> ids = new HashSet<>();
    received.forEach(e -> ids.add(e.event().base().eventId()));
    assertThat(ids).as("every delivered event arrived once at least").hasSize((int) stats.delivered());
    assertThat(stats.delivered() + stats.dropped(DropReason.CORRUPT)).isEqualTo(stats.recovered());
    assertThat(stats.dropped()).isEqualTo(stats.dropped(DropReason.CORRUPT));
    assertInOrderPerWorkflow(received);
    switch (damage) {
      case NONE, MISSING_CHECKPOINT -> {
        assertThat(recovered.recovered()).isEqualTo(EVENTS);
        assertThat(stats.delivered()).isEqualTo(EVENTS);
      }
      case FLIPPED_BYTES, ZEROED_SEGMENT_HEADER -> {
        assertThat(stats.recovered()).isEqualTo(EVENTS);
        assertThat(stats.dropped(DropReason.CORRUPT)).isPositive();
        assertThat(stats.delivered()).isPositive();
      }
      case TRUNCATED_TAIL -> {
        // The torn record was a write in progress; it cannot be counted, everything before it is.
        assertThat(stats.recovered()).isEqualTo(EVENTS - 1);
        assertThat(stats.delivered()).isEqualTo(EVENTS - 1);
      }
    }
  }

  @Test
  void aSecondProcessCannotTakeTheDirectoryWhileTheFirstHoldsIt() throws Exception {
    Process child = start(DOWN, 10, "hang", null);
    awaitLine(child, "EMITTED");
    // Once every event has left the queue, one second more puts them in the spool.
    await()
        .pollDelay(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(10))
        .until(child::isAlive);

    assertThatThrownBy(this::tracker)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(directory.toAbsolutePath().toString())
        .hasMessageContaining("in use by another process");

    child.destroyForcibly();
    child.waitFor(30, TimeUnit.SECONDS);
    server.stubFor(post(urlEqualTo("/ingest")).willReturn(ok()));
    HttpBatchTracker next = tracker();
    assertThat(next.stats().recovered()).isEqualTo(10);
    await().atMost(Duration.ofSeconds(30)).until(() -> next.stats().delivered() == 10);
  }

  @Test
  void whenTheDiskIsFullEventsAreKeptInMemoryAndStillDelivered() throws Exception {
    server.stubFor(post(urlEqualTo("/ingest")).willReturn(ok()));
    // The child may write at most 128 KiB per file (half a segment): the spool's writes fail as on
    // a full disk.
    Process child = start("http://localhost:" + server.getPort() + "/ingest", 6_000, "flush", "128");
    awaitLine(child, "EMITTED");
    String[] stats = awaitLine(child, "STATS").split(" ");
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();

    long delivered = Long.parseLong(stats[1]);
    long dropped = Long.parseLong(stats[2]);
    long pending = Long.parseLong(stats[3]);
    long failures = Long.parseLong(stats[4]);
    assertThat(failures).as("spool writes that failed").isPositive();
    assertThat(delivered).isEqualTo(6_000);
    assertThat(dropped).isZero();
    assertThat(pending).isZero();
    Set<String> ids = new HashSet<>();
    Sink.received(server).forEach(e -> ids.add(e.event().base().eventId()));
    assertThat(ids).hasSize(6_000);
  }

  private HttpBatchTracker tracker() {
    HttpBatchTracker tracker =
        HttpBatchTracker.create(
            Sink.testConfig("http://localhost:" + server.getPort() + "/ingest")
                .maxBatchSize(500)
                .batchSize(500)
                .flushInterval(Duration.ofMillis(100))
                .spool(SpoolConfig.builder(directory).maxBytes(MAX_BYTES).build())
                .build());
    trackers.add(tracker);
    return tracker;
  }

  private Process start(String endpoint, int events, String mode, String fileSizeLimitKb) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>();
    String javaCommand =
        String.join(
            " ",
            java,
            "-Xmx256m",
            "-cp",
            "'" + System.getProperty("java.class.path") + "'",
            SpoolChild.class.getName(),
            "'" + directory + "'",
            endpoint,
            String.valueOf(events),
            String.valueOf(MAX_BYTES),
            mode);
    command.add("bash");
    command.add("-c");
    command.add((fileSizeLimitKb == null ? "" : "ulimit -f " + fileSizeLimitKb + "; ") + "exec " + javaCommand);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    children.add(process);
    return process;
  }

  /** Reads the child's output until a line starting with {@code prefix}; returns that line. */
  private static String awaitLine(Process child, String prefix) throws IOException {
    BufferedReader reader = readers.computeIfAbsent(
        child, p -> new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)));
    List<String> seen = new ArrayList<>();
    String line;
    while ((line = reader.readLine()) != null) {
      if (line.startsWith(prefix)) {
        return line;
      }
      seen.add(line);
    }
    throw new AssertionError("the child exited without printing " + prefix + "; it printed: " + String.join("\n", seen));
  }

  private static final Map<Process, BufferedReader> readers = new HashMap<>();

  private void damage(Damage damage) throws IOException {
    List<Path> segments;
    try (Stream<Path> files = Files.list(directory)) {
      segments = files.filter(f -> f.getFileName().toString().endsWith(".log")).sorted().toList();
    }
    assertThat(segments).as("segment files").hasSizeGreaterThanOrEqualTo(3);
    switch (damage) {
      case NONE -> {}
      case FLIPPED_BYTES -> {
        Path middle = segments.get(segments.size() / 2);
        try (RandomAccessFile file = new RandomAccessFile(middle.toFile(), "rw")) {
          long at = file.length() / 2;
          for (int i = 0; i < 16; i++) {
            file.seek(at + i);
            int b = file.read();
            file.seek(at + i);
            file.write(b ^ 0xff);
          }
        }
      }
      case TRUNCATED_TAIL -> {
        Path last = segments.get(segments.size() - 1);
        try (RandomAccessFile file = new RandomAccessFile(last.toFile(), "rw")) {
          file.setLength(file.length() - 7);
        }
      }
      case ZEROED_SEGMENT_HEADER -> {
        Path middle = segments.get(segments.size() / 2);
        try (RandomAccessFile file = new RandomAccessFile(middle.toFile(), "rw")) {
          file.write(new byte[20]);
        }
      }
      case MISSING_CHECKPOINT -> Files.deleteIfExists(directory.resolve("checkpoint"));
    }
  }

  /** Within each workflow, events arrive in the order they were emitted ({@code input.n} grows). */
  private static void assertInOrderPerWorkflow(List<WireEvent> received) {
    Map<String, Integer> last = new HashMap<>();
    for (WireEvent wire : received) {
      WorkflowEvent.WorkflowStarted event = (WorkflowEvent.WorkflowStarted) wire.event();
      int n = ((JsonNode) event.input()).get("n").asInt();
      Integer before = last.put(event.base().workflowId(), n);
      if (before != null) {
        assertThat(n).as("order within %s", event.base().workflowId()).isGreaterThan(before);
      }
    }
  }
}
