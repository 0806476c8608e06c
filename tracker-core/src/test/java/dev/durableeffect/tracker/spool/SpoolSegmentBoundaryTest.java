package dev.durableeffect.tracker.spool;

import static dev.durableeffect.tracker.spool.SpoolFixtures.T0;
import static dev.durableeffect.tracker.spool.SpoolFixtures.config;
import static dev.durableeffect.tracker.spool.SpoolFixtures.range;
import static dev.durableeffect.tracker.spool.SpoolFixtures.readAll;
import static dev.durableeffect.tracker.spool.SpoolFixtures.record;
import static dev.durableeffect.tracker.spool.SpoolFixtures.segmentFiles;
import static dev.durableeffect.tracker.spool.SpoolFixtures.sequences;
import static org.assertj.core.api.Assertions.assertThat;

import dev.durableeffect.tracker.spool.SpoolFixtures.MutableClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Segments roll and the spool evicts at exact byte counts: frames sized by hand fill a 256 KiB
 * segment (maxBytes 1 MiB) to the byte.
 */
class SpoolSegmentBoundaryTest {

  private static final long MIB = 1024 * 1024;
  private static final int SEGMENT = 256 * 1024;
  private static final int HEADER = 20;
  /** Records per full segment: 261 frames of 1,000 bytes and one of 1,124. */
  private static final int PER_SEGMENT = 262;

  @TempDir Path dir;

  private final MutableClock clock = new MutableClock(T0);

  private final SpoolLog log = new SpoolLog();

  @AfterEach
  void detachLog() {
    log.detach();
  }

  /** The bytes the frame of {@code record} takes in a segment file. */
  static int frameBytes(SpoolRecord record) {
    return 28
        + 2 + record.workflowId().getBytes(StandardCharsets.UTF_8).length
        + 2 + record.eventId().getBytes(StandardCharsets.UTF_8).length
        + 2 + record.type().getBytes(StandardCharsets.UTF_8).length
        + 4 + record.json().length;
  }

  /** Record {@code n} whose frame takes exactly {@code bytes}. */
  static SpoolRecord recordOfFrame(int n, int bytes) {
    SpoolRecord probe = record(n, 500);
    SpoolRecord sized = record(n, 500 + bytes - frameBytes(probe));
    assertThat(frameBytes(sized)).isEqualTo(bytes);
    return sized;
  }

  /** Records {@code from} to {@code from + 261} whose frames fill a segment to exactly 256 KiB. */
  static List<SpoolRecord> fullSegment(int from) {
    List<SpoolRecord> records = new ArrayList<>();
    for (int i = 0; i < PER_SEGMENT - 1; i++) {
      records.add(recordOfFrame(from + i, 1000));
    }
    records.add(recordOfFrame(from + PER_SEGMENT - 1, SEGMENT - HEADER - 1000 * (PER_SEGMENT - 1)));
    return records;
  }

  private SpoolStore open() throws IOException {
    return SpoolStore.open(config(dir, MIB), clock);
  }

  @Test
  void aSegmentIsFilledToExactlySegmentBytesAndTheNextRecordStartsANewOne() throws Exception {
    try (SpoolStore store = open()) {
      store.append(fullSegment(0));

      assertThat(segmentFiles(dir)).hasSize(1);
      assertThat(Files.size(segmentFiles(dir).get(0))).isEqualTo(SEGMENT);
      assertThat(store.bytes()).isEqualTo(SEGMENT);

      store.append(List.of(recordOfFrame(PER_SEGMENT, 200)));

      assertThat(segmentFiles(dir))
          .extracting(p -> p.getFileName().toString())
          .containsExactly("segment-00000000000000000000.log", "segment-00000000000000000262.log");
      assertThat(Files.size(segmentFiles(dir).get(0))).isEqualTo(SEGMENT);
      assertThat(Files.size(segmentFiles(dir).get(1))).isEqualTo(HEADER + 200);
      assertThat(sequences(readAll(store))).isEqualTo(range(0, PER_SEGMENT + 1));
    }
  }

  @Test
  void aRecordThatWouldOverfillTheSegmentByOneByteGoesToTheNextSegment() throws Exception {
    try (SpoolStore store = open()) {
      List<SpoolRecord> records = new ArrayList<>(fullSegment(0));
      SpoolRecord last = records.remove(records.size() - 1);
      records.add(recordOfFrame(PER_SEGMENT - 1, frameBytes(last) + 1));
      store.append(records);

      assertThat(segmentFiles(dir))
          .extracting(p -> p.getFileName().toString())
          .containsExactly("segment-00000000000000000000.log", "segment-00000000000000000261.log");
      assertThat(Files.size(segmentFiles(dir).get(0))).isEqualTo(SEGMENT - frameBytes(last));
      assertThat(sequences(readAll(store))).isEqualTo(range(0, PER_SEGMENT));
    }
  }

  @Test
  void aRecordLargerThanASegmentIsWrittenAloneIntoItsOwnSegment() throws Exception {
    try (SpoolStore store = open()) {
      SpoolRecord huge = recordOfFrame(0, 300 * 1024);
      store.append(List.of(huge));

      assertThat(store.segments()).isEqualTo(1);
      assertThat(segmentFiles(dir)).hasSize(1);
      assertThat(store.bytes()).isEqualTo(HEADER + 300 * 1024);

      store.append(List.of(recordOfFrame(1, 200), recordOfFrame(2, 300 * 1024), recordOfFrame(3, 200)));

      assertThat(segmentFiles(dir))
          .extracting(p -> p.getFileName().toString())
          .containsExactly(
              "segment-00000000000000000000.log",
              "segment-00000000000000000001.log",
              "segment-00000000000000000002.log",
              "segment-00000000000000000003.log");
      List<SpoolRecord> read = readAll(store);
      assertThat(sequences(read)).containsExactly(0L, 1L, 2L, 3L);
      assertThat(read.get(0).json()).isEqualTo(huge.json());
      assertThat(store.drainCorrupt()).isZero();
    }
    try (SpoolStore store = open()) {
      assertThat(store.recovery()).isEqualTo(new SpoolStore.Recovery(4, 0, 0, 0));
      assertThat(readAll(store).get(2).json()).isEqualTo(recordOfFrame(2, 300 * 1024).json());
    }
  }

  @Test
  void aSpoolOfExactlyMaxBytesEvictsNothingAndOneRecordMoreEvictsExactlyTheOldestSegment() throws Exception {
    try (SpoolStore store = open()) {
      for (int s = 0; s < 4; s++) {
        store.append(fullSegment(s * PER_SEGMENT));
      }
      assertThat(store.bytes()).isEqualTo(MIB);
      assertThat(store.segments()).isEqualTo(4);
      assertThat(store.drainEvicted()).isZero();

      store.append(List.of(recordOfFrame(4 * PER_SEGMENT, 200)));

      assertThat(store.drainEvicted()).isEqualTo(PER_SEGMENT);
      assertThat(segmentFiles(dir)).hasSize(4);
      assertThat(dir.resolve("segment-00000000000000000000.log")).doesNotExist();
      assertThat(store.bytes()).isEqualTo(3L * SEGMENT + HEADER + 200);
      assertThat(store.unacknowledged()).isEqualTo(3 * PER_SEGMENT + 1);
      assertThat(sequences(readAll(store))).isEqualTo(range(PER_SEGMENT, 4 * PER_SEGMENT + 1));
    }
  }

  @Test
  void evictingASegmentReadUpToItsLastRecordCountsOnlyThatRecordAsEvicted() throws Exception {
    try (SpoolStore store = open()) {
      for (int s = 0; s < 4; s++) {
        store.append(fullSegment(s * PER_SEGMENT));
      }
      assertThat(sequences(store.read(PER_SEGMENT - 1, Long.MAX_VALUE))).isEqualTo(range(0, PER_SEGMENT - 1));

      store.append(List.of(recordOfFrame(4 * PER_SEGMENT, 200)));

      assertThat(store.drainEvicted()).isEqualTo(1);
      assertThat(store.unacknowledged()).isEqualTo(PER_SEGMENT - 1 + 3 * PER_SEGMENT + 1);
      assertThat(sequences(store.read(1, Long.MAX_VALUE))).containsExactly((long) PER_SEGMENT);
      store.acknowledge(0, PER_SEGMENT - 1);
      assertThat(store.unacknowledged()).isEqualTo(3 * PER_SEGMENT + 1);
    }
  }

  @Test
  void evictingAWhollyReadSegmentCountsNothingAsEvicted() throws Exception {
    try (SpoolStore store = open()) {
      for (int s = 0; s < 4; s++) {
        store.append(fullSegment(s * PER_SEGMENT));
      }
      assertThat(sequences(store.read(PER_SEGMENT + 3, Long.MAX_VALUE))).isEqualTo(range(0, PER_SEGMENT + 3));

      store.append(List.of(recordOfFrame(4 * PER_SEGMENT, 200)));

      assertThat(store.drainEvicted()).isZero();
      assertThat(dir.resolve("segment-00000000000000000000.log")).doesNotExist();
      assertThat(sequences(store.read(1, Long.MAX_VALUE))).containsExactly(PER_SEGMENT + 3L);
    }
  }

  @Test
  void afterEvictionTheCheckpointHoldsTheFirstSequenceNotEvicted() throws Exception {
    try (SpoolStore store = open()) {
      for (int s = 0; s < 4; s++) {
        store.append(fullSegment(s * PER_SEGMENT));
      }
      assertThat(SpoolStoreTest.checkpointOf(dir)).isZero();

      store.append(List.of(recordOfFrame(4 * PER_SEGMENT, 200)));

      assertThat(SpoolStoreTest.checkpointOf(dir)).isEqualTo(PER_SEGMENT);
    }
  }

  @Test
  void aRecordLargerThanMaxBytesIsEvictedAtOnceAndCountedAsEvicted() throws Exception {
    try (SpoolStore store = open()) {
      store.append(List.of(recordOfFrame(0, 200)));
      store.acknowledge(0, 0);
      assertThat(sequences(store.read(10, Long.MAX_VALUE))).containsExactly(0L);
      store.acknowledge(0, 1);

      store.append(List.of(recordOfFrame(1, (int) MIB + 1000)));

      assertThat(store.drainEvicted()).isEqualTo(1);
      assertThat(store.unacknowledged()).isZero();
      assertThat(store.bytes()).isEqualTo(HEADER);
      assertThat(segmentFiles(dir))
          .extracting(p -> p.getFileName().toString())
          .containsExactly("segment-00000000000000000002.log");
      assertThat(store.read(10, Long.MAX_VALUE)).isEmpty();
      store.append(List.of(recordOfFrame(2, 200)));
      assertThat(sequences(store.read(10, Long.MAX_VALUE))).containsExactly(2L);
    }
  }

  @Test
  void afterEvictingUnreadRecordsTheOldestIsTheTimeOfTheFirstRecordKept() throws Exception {
    try (SpoolStore store = open()) {
      store.append(fullSegment(0));
      int appended = PER_SEGMENT;
      long evicted = 0;
      while (evicted == 0) {
        clock.advance(Duration.ofSeconds(1));
        store.append(SpoolFixtures.records(appended, 50, 1000));
        appended += 50;
        evicted = store.drainEvicted();
      }

      assertThat(evicted).isEqualTo(PER_SEGMENT);
      assertThat(store.oldestAppendedAtMillis()).isEqualTo(T0 + 1000);
    }
  }

  @Test
  void acknowledgingASegmentReadExactlyToItsEndDeletesItsFile() throws Exception {
    try (SpoolStore store = open()) {
      store.append(fullSegment(0));
      store.append(fullSegment(PER_SEGMENT));
      assertThat(sequences(store.read(PER_SEGMENT, Long.MAX_VALUE))).isEqualTo(range(0, PER_SEGMENT));

      store.acknowledge(0, PER_SEGMENT);

      assertThat(segmentFiles(dir))
          .extracting(p -> p.getFileName().toString())
          .containsExactly("segment-00000000000000000262.log");
      assertThat(store.segments()).isEqualTo(1);
      assertThat(store.bytes()).isEqualTo(SEGMENT);
      assertThat(sequences(readAll(store))).isEqualTo(range(PER_SEGMENT, 2 * PER_SEGMENT));
      assertThat(log.lines()).as("the reader left the deleted file: no read of it failed").isEmpty();
    }
  }

  @Test
  void acknowledgingOneRecordShortOfTheNextSegmentKeepsTheFile() throws Exception {
    try (SpoolStore store = open()) {
      store.append(fullSegment(0));
      store.append(fullSegment(PER_SEGMENT));
      store.read(PER_SEGMENT, Long.MAX_VALUE);

      store.acknowledge(0, PER_SEGMENT - 1);

      assertThat(segmentFiles(dir)).hasSize(2);
      store.acknowledge(PER_SEGMENT - 1, 1);
      assertThat(segmentFiles(dir)).hasSize(1);
    }
  }

  @Test
  void aSegmentAcknowledgedWhileBeingWrittenIsDeletedWhenTheNextSegmentBegins() throws Exception {
    try (SpoolStore store = open()) {
      store.append(fullSegment(0));
      readAll(store);
      store.acknowledge(0, PER_SEGMENT);
      assertThat(segmentFiles(dir)).hasSize(1);

      store.append(List.of(recordOfFrame(PER_SEGMENT, 200)));

      assertThat(segmentFiles(dir))
          .extracting(p -> p.getFileName().toString())
          .containsExactly("segment-00000000000000000262.log");
      assertThat(store.segments()).isEqualTo(1);
      assertThat(store.bytes()).isEqualTo(HEADER + 200);
      assertThat(sequences(readAll(store))).containsExactly((long) PER_SEGMENT);
    }
  }

  @Test
  void evictionStopsOnceTheSpoolIsBackToExactlyMaxBytes() throws Exception {
    try (SpoolStore store = open()) {
      store.append(List.of(recordOfFrame(0, 200)));
      for (int n = 1; n <= 4; n++) {
        store.append(List.of(recordOfFrame(n, SEGMENT - HEADER)));
      }

      assertThat(store.drainEvicted()).isEqualTo(1);
      assertThat(store.bytes()).isEqualTo(MIB);
      assertThat(segmentFiles(dir)).hasSize(4);
      assertThat(sequences(readAll(store))).containsExactly(1L, 2L, 3L, 4L);
    }
  }
}
