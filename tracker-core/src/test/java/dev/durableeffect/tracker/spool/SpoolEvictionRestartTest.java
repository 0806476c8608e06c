package dev.durableeffect.tracker.spool;

import static dev.durableeffect.tracker.spool.SpoolFixtures.T0;
import static dev.durableeffect.tracker.spool.SpoolFixtures.range;
import static dev.durableeffect.tracker.spool.SpoolFixtures.readAll;
import static dev.durableeffect.tracker.spool.SpoolFixtures.records;
import static dev.durableeffect.tracker.spool.SpoolFixtures.segmentFiles;
import static dev.durableeffect.tracker.spool.SpoolFixtures.sequences;
import static org.assertj.core.api.Assertions.assertThat;

import dev.durableeffect.tracker.spool.SpoolFixtures.MutableClock;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A segment deleted (evicted over maxBytes, or expired) while records read from it are still
 * outstanding, then a restart: the gap it leaves is not counted again or as damage, and the
 * records that were never acknowledged are reported once.
 */
class SpoolEvictionRestartTest {

  /** Records read and held, unacknowledged, when their segment is evicted. */
  private static final int HELD = 5;

  @TempDir Path dir;

  private final MutableClock clock = new MutableClock(T0);

  /** What {@link #evictWhileFiveAreHeld} left: records appended and the first sequence kept. */
  record Evicted(long appended, long firstKept, long evictedUnread) {}

  /**
   * In a 1 MiB spool (256 KiB segments): appends records 0 to 4, reads them without acknowledging,
   * then appends one record at a time until the first segment is evicted.
   */
  static Evicted evictWhileFiveAreHeld(SpoolStore store) throws IOException {
    store.append(records(0, HELD, 1000));
    assertThat(sequences(store.read(HELD, Long.MAX_VALUE))).isEqualTo(range(0, HELD));
    long appended = HELD;
    long evicted = 0;
    while (evicted == 0) {
      store.append(records((int) appended, 1, 1000));
      appended++;
      evicted = store.drainEvicted();
    }
    long firstKept = Segment.firstSequenceOf(segmentFiles(store.directory()).get(0).getFileName().toString());
    assertThat(evicted).as("the unread records of the evicted segment").isEqualTo(firstKept - HELD);
    return new Evicted(appended, firstKept, evicted);
  }

  private SpoolStore open() throws IOException {
    return SpoolStore.open(SpoolFixtures.config(dir, SpoolConfig.MIN_MAX_BYTES), clock);
  }

  @Test
  void recordsHeldWhenTheirSegmentIsEvictedAreReportedOnceAsEvictedNotAsDamageAfterARestart() throws Exception {
    Evicted evicted;
    try (SpoolStore store = open()) {
      evicted = evictWhileFiveAreHeld(store);
      assertThat(store.unacknowledged()).isEqualTo(evicted.appended() - evicted.evictedUnread());
      assertThat(SpoolStoreTest.checkpointFields(dir)).containsExactly(evicted.firstKept(), HELD, 0);
    }

    try (SpoolStore store = open()) {
      assertThat(store.recovery())
          .isEqualTo(new SpoolStore.Recovery(evicted.appended() - evicted.firstKept(), 0, 0, HELD));
      assertThat(store.drainEvicted()).isZero();
      assertThat(sequences(readAll(store))).isEqualTo(range(evicted.firstKept(), evicted.appended()));
      assertThat(store.drainCorrupt()).isZero();
    }
    try (SpoolStore store = open()) {
      assertThat(store.recovery())
          .as("reported once")
          .isEqualTo(new SpoolStore.Recovery(evicted.appended() - evicted.firstKept(), 0, 0, 0));
    }
  }

  @Test
  void heldRecordsAcknowledgedAfterTheEvictionAreNotReportedAfterARestart() throws Exception {
    Evicted evicted;
    try (SpoolStore store = open()) {
      evicted = evictWhileFiveAreHeld(store);
      assertThat(SpoolStoreTest.checkpointOf(dir)).as("past the evicted segment").isEqualTo(evicted.firstKept());

      store.acknowledge(0, HELD);

      assertThat(store.unacknowledged()).isEqualTo(evicted.appended() - evicted.firstKept());
      assertThat(SpoolStoreTest.checkpointFields(dir)).containsExactly(evicted.firstKept(), 0, 0);
      store.acknowledge(0, HELD);
      assertThat(store.unacknowledged())
          .as("acknowledged twice: no-op")
          .isEqualTo(evicted.appended() - evicted.firstKept());
    }

    try (SpoolStore store = open()) {
      assertThat(store.recovery())
          .isEqualTo(new SpoolStore.Recovery(evicted.appended() - evicted.firstKept(), 0, 0, 0));
      assertThat(sequences(readAll(store))).isEqualTo(range(evicted.firstKept(), evicted.appended()));
    }
  }

  @Test
  void heldRecordsPartlyAcknowledgedAfterTheEvictionAreReportedForTheRestAfterARestart() throws Exception {
    Evicted evicted;
    try (SpoolStore store = open()) {
      evicted = evictWhileFiveAreHeld(store);

      store.acknowledge(1, 2);

      assertThat(SpoolStoreTest.checkpointFields(dir)).containsExactly(evicted.firstKept(), HELD - 2, 0);
    }

    try (SpoolStore store = open()) {
      assertThat(store.recovery())
          .isEqualTo(new SpoolStore.Recovery(evicted.appended() - evicted.firstKept(), 0, 0, HELD - 2));
    }
  }

  @Test
  void anAcknowledgementOfAHeldEvictedRecordAndARecordReadAfterTheEvictionUpdatesTheCheckpointAtOnce()
      throws Exception {
    try (SpoolStore store = open()) {
      Evicted evicted = evictWhileFiveAreHeld(store);
      assertThat(sequences(store.read(3, Long.MAX_VALUE)))
          .isEqualTo(range(evicted.firstKept(), evicted.firstKept() + 3));

      // From the last held record through the first one read since: one of each is acknowledged.
      store.acknowledge(HELD - 1, (int) (evicted.firstKept() - HELD + 2));

      assertThat(SpoolStoreTest.checkpointFields(dir)).containsExactly(evicted.firstKept() + 1, HELD - 1, 0);
      assertThat(store.unacknowledged()).isEqualTo(evicted.appended() - evicted.firstKept() - 1 + HELD - 1);
    }
  }

  @Test
  void anAcknowledgementOfAHeldExpiredRecordAndARecordOfTheNextSegmentUpdatesTheCheckpointAtOnce()
      throws Exception {
    SpoolConfig oneHour =
        SpoolConfig.builder(dir).maxBytes(SpoolConfig.MIN_MAX_BYTES).maxAge(Duration.ofHours(1)).build();
    try (SpoolStore store = SpoolStore.open(oneHour, clock)) {
      store.append(records(0, 300, 1000)); // two 256 KiB segments
      assertThat(readAll(store)).hasSize(300);
      long firstKept = Segment.firstSequenceOf(segmentFiles(dir).get(1).getFileName().toString());
      clock.advance(Duration.ofHours(2));
      store.acknowledge(299, 1); // the first segment goes
      assertThat(SpoolStoreTest.checkpointFields(dir)).containsExactly(firstKept, 0, firstKept);

      store.acknowledge(firstKept - 1, 2);

      assertThat(SpoolStoreTest.checkpointFields(dir)).containsExactly(firstKept + 1, 0, firstKept - 1);
    }
  }

  @Test
  void recordsHeldWhenTheirSegmentExpiresAreReportedByTheFirstRestartOnlyAlsoWhenItReadsNothing() throws Exception {
    SpoolConfig oneHour = oneHourMaxAge();
    long firstKept;
    try (SpoolStore store = SpoolStore.open(oneHour, clock)) {
      firstKept = expireTheFirstOfTwoSegmentsWhileItsRecordsAreHeld(store);
    }
    try (SpoolStore store = SpoolStore.open(oneHour, clock)) {
      assertThat(store.recovery()).isEqualTo(new SpoolStore.Recovery(300 - firstKept, 0, firstKept, 0));
    }

    try (SpoolStore store = SpoolStore.open(oneHour, clock)) {
      assertThat(store.recovery()).isEqualTo(new SpoolStore.Recovery(300 - firstKept, 0, 0, 0));
    }
  }

  @Test
  void recoveredSegmentsOfOneRecordEachCountOneRecordEachWhenEvictedUnread() throws Exception {
    try (SpoolStore store = open()) {
      for (int i = 0; i < 3; i++) {
        store.append(List.of(SpoolFixtures.record(i, 300_000))); // more than a 256 KiB segment: one per segment
      }
      assertThat(segmentFiles(dir)).hasSize(3);
    }

    try (SpoolStore store = open()) {
      assertThat(store.recovery()).isEqualTo(new SpoolStore.Recovery(3, 0, 0, 0));
      store.append(List.of(SpoolFixtures.record(3, 300_000)));
      assertThat(store.drainEvicted()).isEqualTo(1);
      store.append(List.of(SpoolFixtures.record(4, 300_000)));
      assertThat(store.drainEvicted()).isEqualTo(1);

      assertThat(store.unacknowledged()).isEqualTo(3);
      assertThat(sequences(readAll(store))).containsExactly(2L, 3L, 4L);
    }
  }

  @Test
  void recordsLostToDamageInASegmentEvictedUnreadAreNotCountedAgainAsEvicted() throws Exception {
    try (SpoolStore store = open()) {
      for (int i = 0; i < 600; i += 50) {
        store.append(records(i, 50, 1000));
      }
    }
    Path first = segmentFiles(dir).get(0);
    List<SpoolFixtures.Frame> frames = SpoolFixtures.frames(first);
    SpoolFixtures.flip(first, frames.get(10).offset() + 40, 4);
    SpoolFixtures.flip(first, frames.get(frames.size() - 2).offset() + 40, 4);

    try (SpoolStore store = open()) {
      assertThat(store.recovery()).isEqualTo(new SpoolStore.Recovery(598, 2, 0, 0));
      long appended = 600;
      long evicted = 0;
      while (evicted == 0) {
        store.append(records((int) appended, 50, 1000));
        appended += 50;
        evicted = store.drainEvicted();
      }

      assertThat(evicted).as("the intact records of the first segment").isEqualTo(frames.size() - 2);
      assertThat(store.unacknowledged()).isEqualTo(appended - frames.size());
      assertThat(sequences(readAll(store))).isEqualTo(range(frames.size(), appended));
      assertThat(store.drainCorrupt()).isZero();
    }
  }

  @Test
  void recordsHeldWhenTheirSegmentIsEvictedAreReportedOnceAfterSigkill() throws Exception {
    Process child = SpoolFixtures.startChild(ChildEvictor.class, dir);
    String report;
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      report = out.readLine();
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      child.destroyForcibly();
    }
    assertThat(report).startsWith("evicted ");
    String[] numbers = report.substring("evicted ".length()).split(" ");
    long appended = Long.parseLong(numbers[0]);
    long firstKept = Long.parseLong(numbers[1]);

    try (SpoolStore store = SpoolStore.open(SpoolFixtures.config(dir, SpoolConfig.MIN_MAX_BYTES), Clock.systemUTC())) {
      assertThat(store.recovery()).isEqualTo(new SpoolStore.Recovery(appended - firstKept, 0, 0, HELD));
      assertThat(sequences(readAll(store))).isEqualTo(range(firstKept, appended));
    }
  }

  @Test
  void recordsHeldWhenTheirSegmentExpiresAreReportedOnceAsExpiredNotAsDamageAfterARestart() throws Exception {
    SpoolConfig oneHour = oneHourMaxAge();
    long firstKept;
    try (SpoolStore store = SpoolStore.open(oneHour, clock)) {
      firstKept = expireTheFirstOfTwoSegmentsWhileItsRecordsAreHeld(store);

      assertThat(segmentFiles(dir)).hasSize(1);
      assertThat(SpoolStoreTest.checkpointFields(dir))
          .as("past the deleted segment")
          .containsExactly(firstKept, 0, firstKept);
      assertThat(store.drainEvicted()).isZero();
      assertThat(store.drainExpired()).as("held, not skipped").isZero();
      store.acknowledge(0, 2);
      assertThat(SpoolStoreTest.checkpointFields(dir)).containsExactly(firstKept, 0, firstKept - 2);
    }

    try (SpoolStore store = SpoolStore.open(oneHour, clock)) {
      assertThat(store.recovery()).isEqualTo(new SpoolStore.Recovery(300 - firstKept, 0, firstKept - 2, 0));
      assertThat(readAll(store)).isEmpty();
      assertThat(store.drainExpired()).isEqualTo(300 - firstKept);
    }
  }

  private SpoolConfig oneHourMaxAge() {
    return SpoolConfig.builder(dir).maxBytes(SpoolConfig.MIN_MAX_BYTES).maxAge(Duration.ofHours(1)).build();
  }

  /**
   * Appends 300 records (two 256 KiB segments), reads them all, lets two hours pass and
   * acknowledges the last one, so that the first segment goes while its records are still held.
   *
   * @return the first sequence of the second segment
   */
  private long expireTheFirstOfTwoSegmentsWhileItsRecordsAreHeld(SpoolStore store) throws IOException {
    store.append(records(0, 300, 1000));
    List<SpoolRecord> inFlight = readAll(store);
    long firstKept = Segment.firstSequenceOf(segmentFiles(dir).get(1).getFileName().toString());
    clock.advance(Duration.ofHours(2));
    store.acknowledge(inFlight.get(inFlight.size() - 1).sequence(), 1); // the first segment goes
    return firstKept;
  }

  /** Runs {@link #evictWhileFiveAreHeld}, reports it on stdout and waits to be killed. */
  public static final class ChildEvictor {
    public static void main(String[] args) throws Exception {
      SpoolStore store =
          SpoolStore.open(SpoolFixtures.config(Path.of(args[0]), SpoolConfig.MIN_MAX_BYTES), Clock.systemUTC());
      Evicted evicted = evictWhileFiveAreHeld(store);
      System.out.println("evicted " + evicted.appended() + " " + evicted.firstKept());
      System.out.flush();
      SpoolFixtures.awaitKill();
    }
  }
}
