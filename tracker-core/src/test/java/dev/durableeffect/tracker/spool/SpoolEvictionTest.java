package dev.durableeffect.tracker.spool;

import static dev.durableeffect.tracker.spool.SpoolFixtures.T0;
import static dev.durableeffect.tracker.spool.SpoolFixtures.config;
import static dev.durableeffect.tracker.spool.SpoolFixtures.readAll;
import static dev.durableeffect.tracker.spool.SpoolFixtures.records;
import static dev.durableeffect.tracker.spool.SpoolFixtures.segmentFiles;
import static dev.durableeffect.tracker.spool.SpoolFixtures.sequences;
import static org.assertj.core.api.Assertions.assertThat;

import dev.durableeffect.tracker.spool.SpoolFixtures.MutableClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Over maxBytes the oldest segments go, and every record is still accounted for exactly. */
class SpoolEvictionTest {

  private static final long MIB = 1024 * 1024;
  private static final long SEGMENT = 256 * 1024;

  @TempDir Path dir;

  private final MutableClock clock = new MutableClock(T0);

  private final SpoolLog log = new SpoolLog();

  @AfterEach
  void detachLog() {
    log.detach();
  }

  @Test
  void fiveMebibytesIntoOneStayWithinBoundsAndEvictedPlusReadIsEverythingAppended() throws Exception {
    try (SpoolStore store = SpoolStore.open(config(dir, MIB), clock)) {
      int appended = 0;
      while (appended < 5000) {
        store.append(records(appended, 50, 1000));
        appended += 50;
        assertThat(store.bytes()).isLessThanOrEqualTo(MIB + SEGMENT);
        assertThat(store.bytes()).isEqualTo(sizeOfSegmentFiles());
        assertThat(store.segments()).isEqualTo(segmentFiles(dir).size());
      }

      long evicted = store.drainEvicted();
      assertThat(evicted).isPositive();
      assertThat(store.unacknowledged()).isEqualTo(appended - evicted);
      List<SpoolRecord> read = readAll(store);

      assertThat(evicted + read.size()).isEqualTo(appended);
      assertThat(sequences(read)).isSorted().doesNotHaveDuplicates().endsWith(4999L);
      assertThat(read.get(0).sequence()).isEqualTo(evicted);
      assertThat(store.drainEvicted()).isZero();
    }
  }

  @Test
  void oneBatchLargerThanMaxBytesIsSplitAcrossSegmentsAndTheOverflowEvicted() throws Exception {
    try (SpoolStore store = SpoolStore.open(config(dir, MIB), clock)) {
      store.append(records(0, 1500, 1000));

      assertThat(store.bytes()).isLessThanOrEqualTo(MIB + SEGMENT);
      assertThat(segmentFiles(dir)).allSatisfy(p -> assertThat(Files.size(p)).isLessThanOrEqualTo(SEGMENT));
      long evicted = store.drainEvicted();
      List<SpoolRecord> read = readAll(store);
      assertThat(evicted + read.size()).isEqualTo(1500);
      assertThat(read.get(read.size() - 1).sequence()).isEqualTo(1499);
    }
  }

  @Test
  void recordsReadButNotAcknowledgedWhenTheirSegmentIsEvictedAreNotCountedAsEvictedAndTheirAckStillWorks()
      throws Exception {
    try (SpoolStore store = SpoolStore.open(config(dir, MIB), clock)) {
      store.append(records(0, 200, 1000));
      List<SpoolRecord> inFlight = store.read(100, Long.MAX_VALUE);
      for (int i = 200; i < 5200; i += 50) {
        store.append(records(i, 50, 1000));
      }
      long evicted = store.drainEvicted();
      assertThat(evicted).isPositive();
      long firstKept = Segment.firstSequenceOf(segmentFiles(dir).get(0).getFileName().toString());
      assertThat(SpoolStoreTest.checkpointOf(dir)).as("past the evicted segments").isEqualTo(firstKept);
      assertThat(store.oldestAppendedAtMillis()).isEqualTo(T0);

      store.acknowledge(inFlight.get(0).sequence(), inFlight.size());
      List<SpoolRecord> rest = readAll(store);
      for (SpoolRecord record : rest) {
        store.acknowledge(record.sequence(), 1);
      }

      assertThat(inFlight.size() + evicted + rest.size()).isEqualTo(5200);
      assertThat(store.unacknowledged()).isZero();
      assertThat(SpoolStoreTest.checkpointOf(dir)).isEqualTo(5200);
      assertThat(store.oldestAppendedAtMillis()).isEqualTo(-1);
      assertThat(log.lines()).as("the reader left the evicted file: no read of it failed").isEmpty();
    }
  }

  @Test
  void aSegmentAcknowledgedBehindAHeldOneIsDeletedAsSoonAsTheHeldOneIsEvicted() throws Exception {
    // Not a whole number of 256 KiB segments: the spool goes over maxBytes within a segment, so the
    // eviction is not followed by the clean-up that starting a new segment brings.
    try (SpoolStore store = SpoolStore.open(config(dir, MIB + MIB / 10), clock)) {
      store.append(SpoolSegmentBoundaryTest.fullSegment(0));
      store.append(SpoolSegmentBoundaryTest.fullSegment(262));
      Path first = segmentFiles(dir).get(0);
      Path second = segmentFiles(dir).get(1);
      assertThat(store.read(262, Long.MAX_VALUE)).hasSize(262); // held
      assertThat(sequences(store.read(262, Long.MAX_VALUE))).startsWith(262L).hasSize(262);
      store.acknowledge(262, 262);
      assertThat(second).as("kept while the segment before it is held").exists();

      int appended = 524;
      while (Files.exists(first)) {
        store.append(records(appended, 50, 1000));
        appended += 50;
      }

      assertThat(second).doesNotExist();
      assertThat(store.segments()).isEqualTo(segmentFiles(dir).size());
      assertThat(SpoolStoreTest.checkpointFields(dir)).containsExactly(524, 262, 0);
    }
  }

  @Test
  void everyRecordIsAccountedForAcrossEvictionAndARestart() throws Exception {
    long delivered = 0;
    long evicted = 0;
    try (SpoolStore store = SpoolStore.open(config(dir, MIB), clock)) {
      for (int i = 0; i < 3000; i += 50) {
        store.append(records(i, 50, 1000));
        if (i % 500 == 0) {
          List<SpoolRecord> batch = store.read(40, Long.MAX_VALUE);
          store.acknowledge(batch.get(0).sequence(), batch.size());
          delivered += batch.size();
        }
        evicted += store.drainEvicted();
        assertThat(delivered + evicted + store.unacknowledged()).isEqualTo(i + 50);
      }
      List<SpoolRecord> held = store.read(10, Long.MAX_VALUE); // read, not acknowledged: pending
      assertThat(held).hasSize(10);
      assertThat(delivered + evicted + store.unacknowledged()).isEqualTo(3000);
    }
    try (SpoolStore store = SpoolStore.open(config(dir, MIB), clock)) {
      long pendingAtClose = 3000 - delivered - evicted;
      assertThat(store.recovery()).isEqualTo(new SpoolStore.Recovery(pendingAtClose, 0, 0, 0));
      assertThat(readAll(store)).hasSize((int) pendingAtClose);
    }
  }

  private long sizeOfSegmentFiles() throws IOException {
    long total = 0;
    for (Path segment : segmentFiles(dir)) {
      total += Files.size(segment);
    }
    return total;
  }
}
