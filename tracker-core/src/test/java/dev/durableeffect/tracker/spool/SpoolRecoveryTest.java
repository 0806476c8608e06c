package dev.durableeffect.tracker.spool;

import static dev.durableeffect.tracker.spool.SpoolFixtures.T0;
import static dev.durableeffect.tracker.spool.SpoolFixtures.config;
import static dev.durableeffect.tracker.spool.SpoolFixtures.flip;
import static dev.durableeffect.tracker.spool.SpoolFixtures.frames;
import static dev.durableeffect.tracker.spool.SpoolFixtures.range;
import static dev.durableeffect.tracker.spool.SpoolFixtures.readAll;
import static dev.durableeffect.tracker.spool.SpoolFixtures.records;
import static dev.durableeffect.tracker.spool.SpoolFixtures.segmentFiles;
import static dev.durableeffect.tracker.spool.SpoolFixtures.sequences;
import static org.assertj.core.api.Assertions.assertThat;

import dev.durableeffect.tracker.spool.SpoolFixtures.Frame;
import dev.durableeffect.tracker.spool.SpoolFixtures.MutableClock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Damaged files, each found by a reopened store: exact counts, and everything intact read back. */
class SpoolRecoveryTest {

  private static final long MIB = 1024 * 1024;
  /** 600 records of about 1,100 bytes in 256 KiB segments: three segment files. */
  private static final int RECORDS = 600;

  @TempDir Path dir;

  private final MutableClock clock = new MutableClock(T0);

  private final SpoolLog log = new SpoolLog();

  @AfterEach
  void detachLog() {
    log.detach();
  }

  private String spool() {
    return dir.toAbsolutePath().normalize().toString();
  }

  private void writeThreeSegments() throws IOException {
    try (SpoolStore store = open()) {
      for (int i = 0; i < RECORDS; i += 50) {
        store.append(records(i, 50, 1000));
      }
    }
    assertThat(segmentFiles(dir)).hasSize(3);
  }

  private SpoolStore open() throws IOException {
    return SpoolStore.open(config(dir, MIB), clock);
  }

  private static List<Long> allBut(List<Long> missing) {
    List<Long> expected = new ArrayList<>(range(0, RECORDS));
    expected.removeAll(missing);
    return expected;
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"magic,1", "length high byte,5", "length low byte,7", "crc,9", "sequence,19", "appendedAt,22", "payload,-1"})
  void aDamagedRecordInTheMiddleSegmentCostsExactlyThatRecord(String field, int offsetInFrame) throws Exception {
    writeThreeSegments();
    Path middle = segmentFiles(dir).get(1);
    List<Frame> frames = frames(middle);
    Frame victim = frames.get(frames.size() / 2);
    long at = offsetInFrame >= 0 ? victim.offset() + offsetInFrame : victim.offset() + 28 + victim.payloadLength() / 2;
    flip(middle, at, 1);

    try (SpoolStore store = open()) {
      assertThat(store.recovery()).isEqualTo(new SpoolStore.Recovery(RECORDS - 1, 1, 0, 0));
      assertThat(store.unacknowledged()).isEqualTo(RECORDS - 1);
      List<SpoolRecord> back = readAll(store);
      assertThat(sequences(back)).isEqualTo(allBut(List.of(victim.sequence())));
      assertThat(back).allSatisfy(r -> assertThat(SpoolFixtures.numberOf(r)).isEqualTo((int) r.sequence()));
      assertThat(store.drainCorrupt()).as("counted at open, not again on read").isZero();
      assertThat(store.nextSequence()).isEqualTo(RECORDS);
      assertThat(middle).exists();
    }
  }

  @Test
  void damageIsCountedOnceThenGoneWhenItsSegmentIsAcknowledged() throws Exception {
    writeThreeSegments();
    Path middle = segmentFiles(dir).get(1);
    Frame victim = frames(middle).get(10);
    flip(middle, victim.offset() + 40, 8);
    try (SpoolStore store = open()) {
      assertThat(store.recovery().corrupt()).isEqualTo(1);
      for (SpoolRecord record : readAll(store)) {
        store.acknowledge(record.sequence(), 1);
      }
    }
    try (SpoolStore store = open()) {
      assertThat(store.recovery()).isEqualTo(new SpoolStore.Recovery(0, 0, 0, 0));
      assertThat(segmentFiles(dir)).hasSize(1);
    }
  }

  @Test
  void aDamagedEndOfAnEarlierSegmentIsCountedByTheGapToTheNextSegment() throws Exception {
    writeThreeSegments();
    Path first = segmentFiles(dir).get(0);
    List<Frame> frames = frames(first);
    Frame lastFrame = frames.get(frames.size() - 1);
    flip(first, lastFrame.offset() + 30, 4);
    log.clear();

    try (SpoolStore store = open()) {
      assertThat(store.recovery()).isEqualTo(new SpoolStore.Recovery(RECORDS - 1, 1, 0, 0));
      assertThat(log.lines())
          .contains(
              "WARN durable-tracker: spool segment "
                  + first
                  + " is damaged from byte offset "
                  + lastFrame.offset()
                  + " to its end ("
                  + (lastFrame.end() - lastFrame.offset())
                  + " bytes)");
      assertThat(sequences(readAll(store))).isEqualTo(allBut(List.of(lastFrame.sequence())));
      assertThat(store.drainCorrupt()).isZero();
    }
  }

  @Test
  void aTornTailIsTruncatedAndNotCounted() throws Exception {
    writeThreeSegments();
    Path last = segmentFiles(dir).get(2);
    List<Frame> frames = frames(last);
    Frame torn = frames.get(frames.size() - 1);
    try (var channel = Files.newByteChannel(last, StandardOpenOption.WRITE)) {
      channel.truncate(torn.offset() + 30);
    }
    log.clear();

    try (SpoolStore store = open()) {
      assertThat(store.recovery()).isEqualTo(new SpoolStore.Recovery(RECORDS - 1, 0, 0, 0));
      assertThat(log.lines())
          .contains(
              "WARN durable-tracker: spool segment "
                  + last
                  + " ends mid-record from byte offset "
                  + torn.offset()
                  + " (30 bytes of a write cut short); truncated there");
      assertThat(Files.size(last)).isEqualTo(torn.offset());
      assertThat(store.nextSequence()).isEqualTo(RECORDS - 1);
      store.append(records(1000, 1, 1000));
      List<SpoolRecord> back = readAll(store);
      assertThat(sequences(back)).isEqualTo(range(0, RECORDS));
      assertThat(SpoolFixtures.numberOf(back.get(RECORDS - 1))).isEqualTo(1000);
    }
    try (SpoolStore store = open()) {
      assertThat(store.recovery()).isEqualTo(new SpoolStore.Recovery(RECORDS, 0, 0, 0));
    }
  }

  @Test
  void zeroesAfterTheLastRecordAreTruncatedAndNotCounted() throws Exception {
    writeThreeSegments();
    Path last = segmentFiles(dir).get(2);
    long size = Files.size(last);
    Files.write(last, new byte[4096], StandardOpenOption.APPEND);

    try (SpoolStore store = open()) {
      assertThat(store.recovery()).isEqualTo(new SpoolStore.Recovery(RECORDS, 0, 0, 0));
      assertThat(Files.size(last)).isEqualTo(size);
      assertThat(sequences(readAll(store))).isEqualTo(range(0, RECORDS));
    }
  }

  @Test
  void aSegmentWithAZeroedHeaderIsMovedAsideAndCountedByTheSequenceGap() throws Exception {
    writeThreeSegments();
    Path middle = segmentFiles(dir).get(1);
    List<Long> lostSequences = frames(middle).stream().map(Frame::sequence).toList();
    try (var channel = Files.newByteChannel(middle, StandardOpenOption.WRITE)) {
      channel.write(java.nio.ByteBuffer.allocate(20));
    }

    try (SpoolStore store = open()) {
      assertThat(store.recovery())
          .isEqualTo(new SpoolStore.Recovery(RECORDS - lostSequences.size(), lostSequences.size(), 0, 0));
      assertThat(middle).doesNotExist();
      assertThat(middle.resolveSibling(middle.getFileName() + ".damaged")).exists();
      assertThat(sequences(readAll(store))).isEqualTo(allBut(lostSequences));
      assertThat(store.drainCorrupt()).isZero();
      assertThat(store.nextSequence()).isEqualTo(RECORDS);
    }
  }

  @Test
  void aLastSegmentWithAShortHeaderIsMovedAsideAndSequencesGoOnFromItsName() throws Exception {
    writeThreeSegments();
    Path last = segmentFiles(dir).get(2);
    long firstOfLast = frames(last).get(0).sequence();
    try (var channel = Files.newByteChannel(last, StandardOpenOption.WRITE)) {
      channel.truncate(7);
    }

    try (SpoolStore store = open()) {
      // What the last segment held cannot be counted: nothing follows it.
      assertThat(store.recovery()).isEqualTo(new SpoolStore.Recovery(firstOfLast, 0, 0, 0));
      assertThat(last.resolveSibling(last.getFileName() + ".damaged")).exists();
      assertThat(store.nextSequence()).isEqualTo(firstOfLast);
      store.append(records(2000, 1, 100));
      assertThat(sequences(readAll(store))).isEqualTo(range(0, firstOfLast + 1));
    }
  }

  @Test
  void aLostTailBeforeAMovedAsideLastSegmentIsCountedUpToThatSegmentsName() throws Exception {
    Damaged damaged = damageTheMiddleSegmentsLastRecordAndTheLastSegmentsHeader();
    long firstOfLast = damaged.firstOfLast();

    try (SpoolStore store = open()) {
      assertThat(store.recovery()).isEqualTo(new SpoolStore.Recovery(firstOfLast - 1, 1, 0, 0));
      assertThat(sequences(readAll(store))).isEqualTo(allBut(List.of(damaged.lastOfMiddle())).subList(0, (int) firstOfLast - 1));
      assertThat(store.drainCorrupt()).isZero();
      assertThat(store.nextSequence()).isEqualTo(firstOfLast);
    }
  }

  @Test
  void aMissingCheckpointBringsEveryRecordBackAndLosesNone() throws Exception {
    acknowledgeFourOfTen();
    Files.delete(dir.resolve("checkpoint"));

    try (SpoolStore store = SpoolStore.open(config(dir, 64 * MIB), clock)) {
      assertThat(store.recovery()).isEqualTo(new SpoolStore.Recovery(10, 0, 0, 0));
      assertThat(sequences(readAll(store))).isEqualTo(range(0, 10));
    }
    assertThat(dir.resolve("checkpoint")).exists();
  }

  @Test
  void aDamagedCheckpointBringsEveryRecordBackAndLosesNone() throws Exception {
    acknowledgeFourOfTen();
    flip(dir.resolve("checkpoint"), 7, 1);
    log.clear();

    try (SpoolStore store = SpoolStore.open(config(dir, 64 * MIB), clock)) {
      assertThat(store.recovery()).isEqualTo(new SpoolStore.Recovery(10, 0, 0, 0));
      assertThat(log.lines())
          .containsExactly(
              "WARN durable-tracker: spool checkpoint "
                  + spool()
                  + "/checkpoint is unusable (its CRC at offset 24 does not match); reading again from the oldest"
                  + " segment's first record: records may be delivered twice, none are lost",
              "INFO durable-tracker: spool " + spool() + " holds 10 undelivered records from before; 0 were lost to damage");
      assertThat(sequences(readAll(store))).isEqualTo(range(0, 10));
    }
  }

  @Test
  void aShortCheckpointBringsEveryRecordBack() throws Exception {
    acknowledgeFourOfTen();
    Files.write(dir.resolve("checkpoint"), new byte[3]);

    try (SpoolStore store = SpoolStore.open(config(dir, 64 * MIB), clock)) {
      assertThat(store.recovery()).isEqualTo(new SpoolStore.Recovery(10, 0, 0, 0));
    }
  }

  @Test
  void aCheckpointInTheEarlierTwelveByteFormatIsReadWithNoDetachedRecordsAndReplacedByTheNewOne() throws Exception {
    acknowledgeFourOfTen();
    ByteBuffer earlier = ByteBuffer.allocate(12).putLong(4);
    CRC32C crc = new CRC32C();
    crc.update(earlier.array(), 0, 8);
    Files.write(dir.resolve("checkpoint"), earlier.putInt((int) crc.getValue()).array());

    try (SpoolStore store = SpoolStore.open(config(dir, 64 * MIB), clock)) {
      assertThat(store.recovery()).isEqualTo(new SpoolStore.Recovery(6, 0, 0, 0));
      List<SpoolRecord> read = readAll(store);
      assertThat(sequences(read)).isEqualTo(range(4, 10));
      store.acknowledge(4, 2);
    }
    assertThat(SpoolStoreTest.checkpointFields(dir)).containsExactly(6, 0, 0);
  }

  @Test
  void damageBelowTheCheckpointIsNotCounted() throws Exception {
    acknowledgeFourOfTen();
    Path segment = segmentFiles(dir).get(0);
    flip(segment, frames(segment).get(2).offset() + 40, 4);

    try (SpoolStore store = SpoolStore.open(config(dir, 64 * MIB), clock)) {
      assertThat(store.recovery()).isEqualTo(new SpoolStore.Recovery(6, 0, 0, 0));
      assertThat(sequences(readAll(store))).isEqualTo(range(4, 10));
    }
  }

  @Test
  void filesThatAreNotSegmentsAreIgnoredAndLeftAlone() throws Exception {
    acknowledgeFourOfTen();
    List<Path> strangers =
        List.of(
            dir.resolve("notes.txt"),
            dir.resolve("segment-abc.log"),
            dir.resolve("segment-00000000000000000001.log.bak"),
            dir.resolve("segment-1.log"));
    for (Path stranger : strangers) {
      Files.write(stranger, new byte[] {'D', 'T', 'S', 'P', 0, 0, 0, 9});
    }

    try (SpoolStore store = SpoolStore.open(config(dir, 64 * MIB), clock)) {
      assertThat(store.recovery()).isEqualTo(new SpoolStore.Recovery(6, 0, 0, 0));
      assertThat(sequences(readAll(store))).isEqualTo(range(4, 10));
    }
    assertThat(strangers).allSatisfy(p -> assertThat(p).exists());
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".damaged"));
    }
  }

  @Test
  void namesOfTwentyCharactersThatAreNotAFirstSequenceAreIgnoredAndLeftAlone() throws Exception {
    List<Path> strangers =
        List.of(
            dir.resolve("segment-0000000000000000000a.log"),
            dir.resolve("segment-+0000000000000000005.log"),
            dir.resolve("segment-99999999999999999999.log"));
    for (Path stranger : strangers) {
      Files.write(stranger, new byte[] {'D', 'T', 'S', 'P', 0, 0, 0, 9});
    }

    try (SpoolStore store = open()) {
      assertThat(store.recovery()).isEqualTo(new SpoolStore.Recovery(0, 0, 0, 0));
      store.append(records(0, 2, 100));
      assertThat(sequences(readAll(store))).containsExactly(0L, 1L);
    }
    assertThat(strangers).allSatisfy(p -> assertThat(p).exists());
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains(".damaged"));
    }
  }

  @Test
  void aReopenOfIntactSegmentsLogsOnlyHowManyRecordsTheyHold() throws Exception {
    writeThreeSegments();
    log.clear();

    try (SpoolStore store = open()) {
      assertThat(log.lines())
          .containsExactly(
              "INFO durable-tracker: spool " + spool() + " holds 600 undelivered records from before; 0 were lost to damage");
    }
  }

  @Test
  void aNewSpoolAndTheReopenOfAnAcknowledgedOneLogNothing() throws Exception {
    try (SpoolStore store = open()) {
      store.append(records(0, 3, 100));
      assertThat(readAll(store)).hasSize(3);
      store.acknowledge(0, 3);
    }
    try (SpoolStore store = open()) {
      assertThat(store.recovery()).isEqualTo(new SpoolStore.Recovery(0, 0, 0, 0));
    }

    assertThat(log.lines()).isEmpty();
  }

  @Test
  void aRecordRepeatedTwiceIsReportedOnceWithItsSequenceAndOffset() throws Exception {
    try (SpoolStore store = open()) {
      store.append(records(0, 3, 200));
    }
    Path segment = segmentFiles(dir).get(0);
    List<Frame> frames = frames(segment);
    byte[] first =
        java.util.Arrays.copyOfRange(Files.readAllBytes(segment), (int) frames.get(0).offset(), (int) frames.get(0).end());
    Files.write(segment, first, StandardOpenOption.APPEND);
    Files.write(segment, first, StandardOpenOption.APPEND);
    log.clear();

    try (SpoolStore store = open()) {
      assertThat(store.recovery()).isEqualTo(new SpoolStore.Recovery(3, 0, 0, 0));
      assertThat(log.lines())
          .containsExactly(
              "WARN durable-tracker: spool segment "
                  + segment
                  + " repeats sequence 0 at byte offset "
                  + frames.get(2).end()
                  + "; the repeat is ignored",
              "INFO durable-tracker: spool " + spool() + " holds 3 undelivered records from before; 0 were lost to damage");
      assertThat(sequences(readAll(store))).containsExactly(0L, 1L, 2L);
    }
  }

  @Test
  void aSealedSegmentCutShortAfterOpenIsSkippedWithAWarningAndWhatItLostIsCounted() throws Exception {
    writeThreeSegments();
    Path middle = segmentFiles(dir).get(1);
    List<Frame> frames = frames(middle);
    long size = Files.size(middle);
    Frame cut = frames.get(100);
    List<Long> lostSequences = frames.subList(100, frames.size()).stream().map(Frame::sequence).toList();

    try (SpoolStore store = open()) {
      try (var channel = Files.newByteChannel(middle, StandardOpenOption.WRITE)) {
        channel.truncate(cut.offset() + 10);
      }
      log.clear();

      assertThat(sequences(readAll(store))).isEqualTo(allBut(lostSequences));

      assertThat(store.drainCorrupt()).isEqualTo(lostSequences.size());
      assertThat(store.unacknowledged()).isEqualTo(RECORDS - lostSequences.size());
      assertThat(log.lines())
          .startsWith(
              "WARN durable-tracker: spool segment "
                  + middle
                  + " cannot be read from byte offset "
                  + cut.offset()
                  + ": java.io.IOException: the file ended at offset "
                  + (cut.offset() + 10)
                  + ", before its limit "
                  + size
                  + "; going on with the next segment");
    }
  }

  @Test
  void aSegmentWhollyBelowTheCheckpointThatACrashLeftBehindIsDeletedAtOpen() throws Exception {
    writeThreeSegments();
    Path first = segmentFiles(dir).get(0);
    byte[] firstBytes = Files.readAllBytes(first);
    long firstOfLast = frames(segmentFiles(dir).get(2)).get(0).sequence();
    try (SpoolStore store = open()) {
      readAll(store);
      store.acknowledge(0, (int) firstOfLast);
    }
    assertThat(segmentFiles(dir)).hasSize(1);
    Files.write(first, firstBytes); // as if the process died between writing the checkpoint and deleting

    try (SpoolStore store = open()) {
      assertThat(store.recovery()).isEqualTo(new SpoolStore.Recovery(RECORDS - firstOfLast, 0, 0, 0));
      assertThat(first).doesNotExist();
      assertThat(store.segments()).isEqualTo(1);
      assertThat(store.bytes()).isEqualTo(Files.size(segmentFiles(dir).get(0)));
      assertThat(sequences(readAll(store))).isEqualTo(range(firstOfLast, RECORDS));
    }
  }

  @Test
  void damageThatAppearsAfterOpenIsCountedWhenReadOnce() throws Exception {
    try (SpoolStore store = open()) {
      for (int i = 0; i < RECORDS; i += 50) {
        store.append(records(i, 50, 1000));
      }
      Path middle = segmentFiles(dir).get(1);
      Frame victim = frames(middle).get(5);
      long nextIntact = frames(middle).get(6).offset();
      flip(middle, victim.offset() + 100, 2);
      log.clear();

      List<SpoolRecord> back = readAll(store);

      assertThat(log.lines())
          .containsExactly(
              "WARN durable-tracker: spool segment " + middle + " is damaged before byte offset " + nextIntact + "; 1 records lost");
      assertThat(sequences(back)).isEqualTo(allBut(List.of(victim.sequence())));
      assertThat(store.recovery().corrupt()).isZero();
      assertThat(store.drainCorrupt()).isEqualTo(1);
      assertThat(store.drainCorrupt()).isZero();
      assertThat(store.unacknowledged()).isEqualTo(RECORDS - 1);
    }
  }

  private void acknowledgeFourOfTen() throws IOException {
    try (SpoolStore store = SpoolStore.open(config(dir, 64 * MIB), clock)) {
      store.append(records(0, 10, 300));
      store.read(4, Long.MAX_VALUE);
      store.acknowledge(0, 4);
    }
    assertThat(SpoolStoreTest.checkpointOf(dir)).isEqualTo(4);
  }

  @Test
  void aLostTailCountedAtOpenIsNotCountedAgainWhenNewRecordsAreReadPastIt() throws Exception {
    Damaged damaged = damageTheMiddleSegmentsLastRecordAndTheLastSegmentsHeader();
    long firstOfLast = damaged.firstOfLast();

    try (SpoolStore store = open()) {
      assertThat(store.recovery().corrupt()).isEqualTo(1);
      store.append(records(2000, 2, 100));
      log.clear();

      List<Long> read = sequences(readAll(store));

      assertThat(log.lines()).as("the loss was reported at open").isEmpty();
      assertThat(read).endsWith(firstOfLast, firstOfLast + 1).doesNotContain(damaged.lastOfMiddle());
      assertThat(store.drainCorrupt()).isZero();
    }
  }

  @Test
  void aSegmentWhoseHeaderStatesAnotherFirstSequenceThanItsNameIsMovedAsideAndCounted() throws Exception {
    writeThreeSegments();
    Path middle = segmentFiles(dir).get(1);
    List<Long> lostSequences = frames(middle).stream().map(Frame::sequence).toList();
    Path misnamed = middle.resolveSibling(Segment.fileName(lostSequences.get(0) + 1));
    Files.move(middle, misnamed);

    try (SpoolStore store = open()) {
      assertThat(store.recovery())
          .isEqualTo(new SpoolStore.Recovery(RECORDS - lostSequences.size(), lostSequences.size(), 0, 0));
      assertThat(misnamed).doesNotExist();
      assertThat(misnamed.resolveSibling(misnamed.getFileName() + ".damaged")).exists();
      assertThat(sequences(readAll(store))).isEqualTo(allBut(lostSequences));
      assertThat(store.drainCorrupt()).isZero();
    }
  }

  @Test
  void aSegmentMovedAsideTakesTheFirstFreeDamagedName() throws Exception {
    writeThreeSegments();
    Path middle = segmentFiles(dir).get(1);
    Path damaged = middle.resolveSibling(middle.getFileName() + ".damaged");
    Path damaged1 = middle.resolveSibling(middle.getFileName() + ".damaged.1");
    Files.write(damaged, new byte[] {1});
    Files.write(damaged1, new byte[] {2});
    flip(middle, 0, 4);

    try (SpoolStore store = open()) {
      assertThat(middle).doesNotExist();
      assertThat(middle.resolveSibling(middle.getFileName() + ".damaged.2")).exists();
      assertThat(Files.readAllBytes(damaged)).containsExactly(1);
      assertThat(Files.readAllBytes(damaged1)).containsExactly(2);
    }
  }

  @Test
  void aSegmentThatCannotBeOpenedIsMovedAsideAndItsRecordsCountedAsLost() throws Exception {
    writeThreeSegments();
    Path middle = segmentFiles(dir).get(1);
    List<Long> lostSequences = frames(middle).stream().map(Frame::sequence).toList();
    ChannelOpener refusingTheMiddle =
        (path, options) -> {
          if (path.equals(middle)) {
            throw new IOException("Input/output error");
          }
          return FileChannel.open(path, options);
        };

    try (SpoolStore store = SpoolStore.open(config(dir, MIB), clock, refusingTheMiddle)) {
      assertThat(store.recovery())
          .isEqualTo(new SpoolStore.Recovery(RECORDS - lostSequences.size(), lostSequences.size(), 0, 0));
      assertThat(middle).doesNotExist();
      assertThat(middle.resolveSibling(middle.getFileName() + ".damaged")).exists();
      assertThat(sequences(readAll(store))).isEqualTo(allBut(lostSequences));
      assertThat(store.drainCorrupt()).isZero();
    }
  }

  @Test
  @Timeout(value = 10, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a record read again forever would hang
  void aRecordRepeatedInASegmentIsDeliveredOnce() throws Exception {
    try (SpoolStore store = open()) {
      store.append(records(0, 3, 200));
    }
    Path segment = segmentFiles(dir).get(0);
    Frame second = frames(segment).get(1);
    byte[] file = Files.readAllBytes(segment);
    byte[] repeat = java.util.Arrays.copyOfRange(file, (int) second.offset(), (int) second.end());
    Files.write(segment, repeat, StandardOpenOption.APPEND);

    try (SpoolStore store = open()) {
      assertThat(store.recovery()).isEqualTo(new SpoolStore.Recovery(3, 0, 0, 0));
      store.append(records(3, 1, 200));

      assertThat(sequences(readAll(store))).containsExactly(0L, 1L, 2L, 3L);
      assertThat(store.drainCorrupt()).isZero();
    }
  }

  /**
   * Writes three segments, damages the last record of the middle one and the header of the last
   * one (so that file is moved aside).
   */
  private Damaged damageTheMiddleSegmentsLastRecordAndTheLastSegmentsHeader() throws IOException {
    writeThreeSegments();
    Path middle = segmentFiles(dir).get(1);
    List<Frame> frames = frames(middle);
    Frame lastOfMiddle = frames.get(frames.size() - 1);
    flip(middle, lastOfMiddle.offset() + 40, 4);
    Path last = segmentFiles(dir).get(2);
    long firstOfLast = frames(last).get(0).sequence();
    flip(last, 0, 4);
    return new Damaged(lastOfMiddle.sequence(), firstOfLast);
  }

  /** The sequence of the damaged record, and the first one of the segment moved aside. */
  private record Damaged(long lastOfMiddle, long firstOfLast) {}
}
