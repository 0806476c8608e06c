package dev.durableeffect.tracker.spool;

import static dev.durableeffect.tracker.spool.SpoolFixtures.T0;
import static dev.durableeffect.tracker.spool.SpoolFixtures.readAll;
import static dev.durableeffect.tracker.spool.SpoolFixtures.records;
import static dev.durableeffect.tracker.spool.SpoolFixtures.sequences;
import static org.assertj.core.api.Assertions.assertThat;

import dev.durableeffect.tracker.spool.SpoolFixtures.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Records older than maxAge are skipped and counted, by a clock the test moves. */
class SpoolExpiryTest {

  @TempDir Path dir;

  private final MutableClock clock = new MutableClock(T0);

  private SpoolConfig oneHour(long maxBytes) {
    return SpoolConfig.builder(dir).maxBytes(maxBytes).maxAge(Duration.ofHours(1)).build();
  }

  @Test
  void recordsOlderThanMaxAgeAreSkippedAndCounted() throws Exception {
    try (SpoolStore store = SpoolStore.open(oneHour(64L << 20), clock)) {
      store.append(records(0, 3, 200));
      clock.advance(Duration.ofMinutes(30));
      store.append(records(3, 2, 200));
      clock.advance(Duration.ofMinutes(31));

      List<SpoolRecord> read = store.read(100, Long.MAX_VALUE);

      assertThat(sequences(read)).containsExactly(3L, 4L);
      assertThat(store.drainExpired()).isEqualTo(3);
      assertThat(store.drainExpired()).isZero();
      assertThat(store.unacknowledged()).isEqualTo(2);
      assertThat(store.oldestAppendedAtMillis()).isEqualTo(T0 + Duration.ofMinutes(30).toMillis());
      store.acknowledge(3, 2);
      assertThat(store.unacknowledged()).isZero();
      assertThat(SpoolStoreTest.checkpointOf(dir)).isEqualTo(5);
    }
  }

  @Test
  void aRecordExactlyMaxAgeOldIsStillDelivered() throws Exception {
    try (SpoolStore store = SpoolStore.open(oneHour(64L << 20), clock)) {
      store.append(records(0, 1, 200));
      clock.advance(Duration.ofHours(1));

      assertThat(store.read(10, Long.MAX_VALUE)).hasSize(1);
      assertThat(store.drainExpired()).isZero();
    }
  }

  @Test
  void recordsThatExpireWhileTheSpoolIsClosedAreSkippedAfterTheRestart() throws Exception {
    try (SpoolStore store = SpoolStore.open(oneHour(64L << 20), clock)) {
      store.append(records(0, 4, 200));
    }
    clock.advance(Duration.ofHours(2));
    try (SpoolStore store = SpoolStore.open(oneHour(64L << 20), clock)) {
      assertThat(store.recovery()).isEqualTo(new SpoolStore.Recovery(4, 0, 0, 0));
      assertThat(store.oldestAppendedAtMillis()).isEqualTo(T0);
      store.append(records(4, 1, 200));

      assertThat(sequences(readAll(store))).containsExactly(4L);
      assertThat(store.drainExpired()).isEqualTo(4);
      assertThat(store.unacknowledged()).isEqualTo(1);
    }
  }

  @Test
  void segmentsThatExpireWhileTheSpoolIsClosedAreSkippedAfterTheRestartAndCountedAsExpiredNotAsDamage()
      throws Exception {
    try (SpoolStore store = SpoolStore.open(oneHour(1L << 20), clock)) {
      store.append(records(0, 300, 1000)); // two 256 KiB segments
    }
    clock.advance(Duration.ofHours(2));

    try (SpoolStore store = SpoolStore.open(oneHour(1L << 20), clock)) {
      assertThat(store.recovery()).isEqualTo(new SpoolStore.Recovery(300, 0, 0, 0));

      assertThat(store.read(100, Long.MAX_VALUE)).isEmpty();

      assertThat(store.drainExpired()).isEqualTo(300);
      assertThat(store.drainCorrupt()).isZero();
      assertThat(store.unacknowledged()).isZero();
    }
  }

  @Test
  void aFullyReadSegmentWhoseNewestRecordExpiredIsDeletedEvenIfNotAcknowledged() throws Exception {
    try (SpoolStore store = SpoolStore.open(oneHour(1L << 20), clock)) {
      store.append(records(0, 300, 1000)); // two 256 KiB segments
      assertThat(store.segments()).isEqualTo(2);
      List<SpoolRecord> inFlight = readAll(store);
      clock.advance(Duration.ofHours(2));

      store.acknowledge(inFlight.get(inFlight.size() - 1).sequence(), 1);

      assertThat(store.segments()).isEqualTo(1);
      assertThat(SpoolFixtures.segmentFiles(dir)).hasSize(1);
      assertThat(store.unacknowledged()).isEqualTo(inFlight.size() - 1);
    }
  }

  @Test
  void whenAnExpiredSegmentGoesWithRecordsStillHeldTheOldestIsThatOfTheNextHeldRecord() throws Exception {
    try (SpoolStore store = SpoolStore.open(oneHour(1L << 20), clock)) {
      store.append(records(0, 300, 1000)); // two 256 KiB segments
      int inFirst = SpoolFixtures.frames(SpoolFixtures.segmentFiles(dir).get(0)).size();
      assertThat(readAll(store)).hasSize(300);
      store.acknowledge(inFirst, 300 - inFirst); // the second segment's records of T0
      clock.advance(Duration.ofMinutes(30));
      store.append(records(300, 5, 1000));
      assertThat(sequences(store.read(5, Long.MAX_VALUE))).containsExactly(300L, 301L, 302L, 303L, 304L);
      clock.advance(Duration.ofMinutes(35)); // the first segment is past maxAge, records 300 to 304 are not

      store.acknowledge(304, 1);

      assertThat(SpoolFixtures.segmentFiles(dir)).hasSize(1);
      assertThat(store.unacknowledged()).as("the first segment's, held, and four").isEqualTo(inFirst + 4);
      assertThat(store.oldestAppendedAtMillis()).isEqualTo(T0 + Duration.ofMinutes(30).toMillis());
    }
  }

  @Test
  void anExpiredSegmentTheReaderIsStillInIsKeptUntilItsRecordsAreSkippedAndCountedAsExpired() throws Exception {
    try (SpoolStore store = SpoolStore.open(oneHour(1L << 20), clock)) {
      store.append(records(0, 300, 1000)); // two 256 KiB segments
      assertThat(store.read(10, Long.MAX_VALUE)).hasSize(10);
      clock.advance(Duration.ofHours(2));

      store.acknowledge(0, 10);

      assertThat(store.read(100, Long.MAX_VALUE)).isEmpty();
      assertThat(store.drainExpired()).isEqualTo(290);
      assertThat(store.drainCorrupt()).isZero();
      assertThat(store.unacknowledged()).isZero();
    }
  }

  @Test
  void recordsSkippedAsExpiredMoveTheCheckpointPastThem() throws Exception {
    try (SpoolStore store = SpoolStore.open(oneHour(64L << 20), clock)) {
      store.append(records(0, 3, 200));
      clock.advance(Duration.ofHours(2));

      assertThat(store.read(100, Long.MAX_VALUE)).isEmpty();

      assertThat(store.drainExpired()).isEqualTo(3);
      assertThat(SpoolStoreTest.checkpointOf(dir)).isEqualTo(3);
    }
    try (SpoolStore store = SpoolStore.open(oneHour(64L << 20), clock)) {
      assertThat(store.recovery().records()).isZero();
    }
  }

  @Test
  void aFullyReadSegmentWhoseNewestRecordIsExactlyMaxAgeOldIsKept() throws Exception {
    try (SpoolStore store = SpoolStore.open(oneHour(1L << 20), clock)) {
      store.append(records(0, 300, 1000)); // two 256 KiB segments
      assertThat(store.segments()).isEqualTo(2);
      List<SpoolRecord> inFlight = readAll(store);
      clock.advance(Duration.ofHours(1));

      store.acknowledge(inFlight.get(inFlight.size() - 1).sequence(), 1);

      assertThat(store.segments()).isEqualTo(2);
      assertThat(SpoolFixtures.segmentFiles(dir)).hasSize(2);
      clock.advance(Duration.ofMillis(1));
      store.acknowledge(inFlight.get(inFlight.size() - 2).sequence(), 1);
      assertThat(SpoolFixtures.segmentFiles(dir)).hasSize(1);
    }
  }
}
