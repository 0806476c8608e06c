package dev.durableeffect.tracker.spool;

import static dev.durableeffect.tracker.spool.SpoolFixtures.T0;
import static dev.durableeffect.tracker.spool.SpoolFixtures.config;
import static dev.durableeffect.tracker.spool.SpoolFixtures.range;
import static dev.durableeffect.tracker.spool.SpoolFixtures.readAll;
import static dev.durableeffect.tracker.spool.SpoolFixtures.record;
import static dev.durableeffect.tracker.spool.SpoolFixtures.records;
import static dev.durableeffect.tracker.spool.SpoolFixtures.segmentFiles;
import static dev.durableeffect.tracker.spool.SpoolFixtures.sequences;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.durableeffect.tracker.spool.SpoolFixtures.MutableClock;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolStoreTest {

  private static final long MIB = 1024 * 1024;

  @TempDir Path dir;

  private final MutableClock clock = new MutableClock(T0);

  @Test
  void readsBackWhatWasAppendedWithAssignedSequencesAndTimes() throws Exception {
    try (SpoolStore store = SpoolStore.open(config(dir, 64 * MIB), clock)) {
      List<SpoolRecord> appended = records(0, 3, 300);
      store.append(appended);
      clock.advance(Duration.ofSeconds(5));
      store.append(List.of(record(3, 300)));

      List<SpoolRecord> read = store.read(10, Long.MAX_VALUE);

      assertThat(sequences(read)).containsExactly(0L, 1L, 2L, 3L);
      assertThat(read).extracting(SpoolRecord::appendedAtMillis).containsExactly(T0, T0, T0, T0 + 5000);
      for (int i = 0; i < 3; i++) {
        SpoolRecord in = appended.get(i);
        SpoolRecord out = read.get(i);
        assertThat(out.workflowId()).isEqualTo(in.workflowId());
        assertThat(out.eventId()).isEqualTo(in.eventId());
        assertThat(out.type()).isEqualTo("step.completed");
        assertThat(out.json()).isEqualTo(in.json());
      }
      assertThat(store.read(10, Long.MAX_VALUE)).isEmpty();
      assertThat(store.nextSequence()).isEqualTo(4);
      assertThat(store.unacknowledged()).isEqualTo(4);
      store.acknowledge(0, 4);
      assertThat(store.unacknowledged()).isZero();
    }
  }

  @Test
  void keepsNonAsciiStringsAndEmptyJson() throws Exception {
    try (SpoolStore store = SpoolStore.open(config(dir, 64 * MIB), clock)) {
      store.append(List.of(SpoolRecord.of("commande-é-日本", "", "step.completed", new byte[0])));

      SpoolRecord read = store.read(1, 1).get(0);

      assertThat(read.workflowId()).isEqualTo("commande-é-日本");
      assertThat(read.eventId()).isEmpty();
      assertThat(read.json()).isEmpty();
    }
  }

  @Test
  void rejectsAStringLongerThanAnUnsignedShortAndAppendsNothing() throws Exception {
    try (SpoolStore store = SpoolStore.open(config(dir, 64 * MIB), clock)) {
      SpoolRecord tooLong = SpoolRecord.of("w".repeat(70_000), "e", "step.completed", new byte[1]);

      assertThatThrownBy(() -> store.append(List.of(record(0, 100), tooLong)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("workflowId must be at most 65535 UTF-8 bytes, was 70000");
      assertThat(store.nextSequence()).isZero();
      assertThat(store.read(10, Long.MAX_VALUE)).isEmpty();
    }
  }

  @Test
  void readStopsAtMaxRecordsAndBeforeMaxBytesButReturnsAtLeastOne() throws Exception {
    try (SpoolStore store = SpoolStore.open(config(dir, 64 * MIB), clock)) {
      store.append(records(0, 11, 100));

      assertThat(sequences(store.read(3, Long.MAX_VALUE))).containsExactly(0L, 1L, 2L);
      assertThat(sequences(store.read(100, 250))).containsExactly(3L, 4L);
      assertThat(sequences(store.read(100, 1))).containsExactly(5L);
      assertThat(sequences(store.read(100, 301))).as("300 bytes of JSON and two commas").containsExactly(6L, 7L);
      assertThat(sequences(store.read(100, 302))).containsExactly(8L, 9L, 10L);
      assertThat(store.read(100, Long.MAX_VALUE)).isEmpty();
    }
  }

  @Test
  void segmentFilesHaveTheDocumentedHeaderAndFrames() throws Exception {
    try (SpoolStore store = SpoolStore.open(config(dir, 64 * MIB), clock)) {
      store.append(records(0, 2, 50));
    }
    Path segment = dir.resolve("segment-00000000000000000000.log");
    ByteBuffer file = ByteBuffer.wrap(Files.readAllBytes(segment));
    assertThat(file.getInt(0)).isEqualTo(0x44545350); // DTSP
    assertThat(file.getInt(4)).isEqualTo(1);
    assertThat(file.getLong(8)).isZero();
    CRC32C crc = new CRC32C();
    crc.update(file.array(), 0, 16);
    assertThat(file.getInt(16)).isEqualTo((int) crc.getValue());

    int frame = 20;
    assertThat(file.getInt(frame)).isEqualTo(0x44545231);
    int payload = file.getInt(frame + 4);
    crc.reset();
    crc.update(file.array(), frame + 12, 16 + payload);
    assertThat(file.getInt(frame + 8)).isEqualTo((int) crc.getValue());
    assertThat(file.getLong(frame + 12)).isZero();
    assertThat(file.getLong(frame + 20)).isEqualTo(T0);
    assertThat(file.getShort(frame + 28)).isEqualTo((short) "order-0".length());
    assertThat(file.limit()).isEqualTo(20 + 2 * (28 + payload));
  }

  @Test
  void afterARestartOnlyUnacknowledgedRecordsComeBackInOrderAndSequencesContinue() throws Exception {
    try (SpoolStore store = SpoolStore.open(config(dir, 64 * MIB), clock)) {
      store.append(records(0, 10, 200));
      assertThat(store.read(100, Long.MAX_VALUE)).hasSize(10);
      store.acknowledge(0, 6);
    }

    try (SpoolStore store = SpoolStore.open(config(dir, 64 * MIB), clock)) {
      assertThat(store.recovery()).isEqualTo(new SpoolStore.Recovery(4, 0, 0, 0));
      assertThat(store.unacknowledged()).isEqualTo(4);
      assertThat(store.nextSequence()).isEqualTo(10);
      List<SpoolRecord> back = readAll(store);
      assertThat(sequences(back)).containsExactly(6L, 7L, 8L, 9L);
      assertThat(back).extracting(SpoolFixtures::numberOf).containsExactly(6, 7, 8, 9);

      store.append(records(10, 2, 200));
      assertThat(sequences(store.read(100, Long.MAX_VALUE))).containsExactly(10L, 11L);
    }
  }

  @Test
  void theWatermarkWaitsForTheLowestOutstandingRecordWhenAcknowledgementsComeOutOfOrder() throws Exception {
    try (SpoolStore store = SpoolStore.open(config(dir, 64 * MIB), clock)) {
      store.append(records(0, 10, 200));
      store.read(5, Long.MAX_VALUE);
      store.read(5, Long.MAX_VALUE);
      store.acknowledge(5, 5);
      assertThat(checkpointOf(dir)).isZero();
      assertThat(store.unacknowledged()).isEqualTo(5);
      store.acknowledge(2, 2);
      assertThat(checkpointOf(dir)).isZero();
      store.acknowledge(0, 2);
      assertThat(checkpointOf(dir)).isEqualTo(4);
      assertThat(store.oldestAppendedAtMillis()).isEqualTo(T0);
    }
    // Records acknowledged above the watermark come back after a restart: duplicates, never loss.
    try (SpoolStore store = SpoolStore.open(config(dir, 64 * MIB), clock)) {
      assertThat(sequences(readAll(store))).isEqualTo(range(4, 10));
    }
  }

  @Test
  void anOutOfOrderAcknowledgementThatLeavesAHoleKeepsTheHoleAfterARestart() throws Exception {
    try (SpoolStore store = SpoolStore.open(config(dir, 64 * MIB), clock)) {
      store.append(records(0, 10, 200));
      readAll(store);
      store.acknowledge(5, 5);
    }
    try (SpoolStore store = SpoolStore.open(config(dir, 64 * MIB), clock)) {
      assertThat(store.recovery().records()).isEqualTo(10);
      assertThat(sequences(readAll(store))).isEqualTo(range(0, 10));
    }
  }

  @Test
  void theCheckpointIsReplacedAtomicallyAndNoTemporaryFileIsLeft() throws Exception {
    Files.write(dir.resolve("checkpoint.tmp"), new byte[] {1, 2, 3});
    try (SpoolStore store = SpoolStore.open(config(dir, 64 * MIB), clock)) {
      assertThat(dir.resolve("checkpoint.tmp")).doesNotExist();
      store.append(records(0, 10, 200));
      for (int i = 0; i < 10; i++) {
        SpoolRecord record = store.read(1, Long.MAX_VALUE).get(0);
        store.acknowledge(record.sequence(), 1);
        assertThat(checkpointOf(dir)).isEqualTo(i + 1);
        assertThat(dir.resolve("checkpoint.tmp")).doesNotExist();
      }
    }
    assertThat(Files.size(dir.resolve("checkpoint"))).isEqualTo(28);
  }

  @Test
  void segmentsWhollyBelowTheWatermarkAreDeletedButNotTheOneBeingWritten() throws Exception {
    try (SpoolStore store = SpoolStore.open(config(dir, MIB), clock)) {
      store.append(records(0, 700, 1000));
      assertThat(store.segments()).isGreaterThanOrEqualTo(3);
      assertThat(segmentFiles(dir)).hasSize(store.segments());

      List<SpoolRecord> all = readAll(store);
      store.acknowledge(0, 300); // past the first segment (about 239 records), not the second
      assertThat(store.segments()).isEqualTo(2);
      assertThat(segmentFiles(dir)).hasSize(2);
      store.acknowledge(300, all.size() - 300);

      assertThat(store.segments()).isEqualTo(1);
      assertThat(segmentFiles(dir)).hasSize(1);
      assertThat(store.bytes()).isEqualTo(Files.size(segmentFiles(dir).get(0)));
      assertThat(store.unacknowledged()).isZero();
      assertThat(store.oldestAppendedAtMillis()).isEqualTo(-1);
    }
  }

  @Test
  void oldestAppendedAtIsThatOfTheOldestUnacknowledgedRecordReadOrNot() throws Exception {
    try (SpoolStore store = SpoolStore.open(config(dir, 64 * MIB), clock)) {
      assertThat(store.oldestAppendedAtMillis()).isEqualTo(-1);
      store.append(records(0, 3, 100));
      clock.advance(Duration.ofSeconds(1));
      store.append(records(3, 2, 100));
      assertThat(store.oldestAppendedAtMillis()).isEqualTo(T0);

      store.read(4, Long.MAX_VALUE);
      store.acknowledge(1, 3);
      assertThat(store.oldestAppendedAtMillis()).as("record 0, read, not acknowledged").isEqualTo(T0);
      store.acknowledge(0, 1);
      assertThat(store.oldestAppendedAtMillis()).as("record 4, not read yet").isEqualTo(T0 + 1000);
      store.read(4, Long.MAX_VALUE);
      store.acknowledge(4, 1);
      assertThat(store.oldestAppendedAtMillis()).isEqualTo(-1);
    }
  }

  @Test
  void aSecondOpenOfTheSameDirectoryIsRefusedUntilTheFirstCloses() throws Exception {
    SpoolStore first = SpoolStore.open(config(dir, 64 * MIB), clock);

    assertThatThrownBy(() -> SpoolStore.open(config(dir, 64 * MIB), clock))
        .isInstanceOf(SpoolLockedException.class)
        .hasMessage(
            "durable-tracker: the spool directory "
                + dir.toAbsolutePath()
                + " is in use by another process; each process needs its own spool directory");

    first.close();
    first.close();
    try (SpoolStore second = SpoolStore.open(config(dir, 64 * MIB), clock)) {
      assertThat(second.directory()).isEqualTo(dir.toAbsolutePath().normalize());
    }
  }

  @Test
  void aClosedStoreRefusesWork() throws Exception {
    SpoolStore store = SpoolStore.open(config(dir, 64 * MIB), clock);
    store.close();

    assertThatThrownBy(() -> store.append(records(0, 1, 10))).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> store.read(1, 1)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aDirectoryThatCannotBeCreatedIsNamedInTheException() throws Exception {
    Path file = Files.write(dir.resolve("plain-file"), new byte[] {1});

    assertThatThrownBy(() -> SpoolStore.open(config(file.resolve("spool"), 64 * MIB), clock))
        .isInstanceOf(java.io.IOException.class)
        .hasMessageContaining(file.resolve("spool").toString());
  }

  @Test
  void syncZeroAndSyncNowKeepEverythingReadable() throws Exception {
    SpoolConfig everyAppend = SpoolConfig.builder(dir).maxBytes(64 * MIB).syncInterval(Duration.ZERO).build();
    try (SpoolStore store = SpoolStore.open(everyAppend, clock)) {
      store.append(records(0, 5, 100));
      store.read(2, Long.MAX_VALUE);
      store.acknowledge(0, 2);
      store.sync();
      assertThat(checkpointOf(dir)).isEqualTo(2);
    }
    try (SpoolStore store = SpoolStore.open(everyAppend, clock)) {
      assertThat(sequences(readAll(store))).containsExactly(2L, 3L, 4L);
    }
  }

  @Test
  void metricGettersCanBeReadFromAnotherThreadWhileAppending() throws Exception {
    try (SpoolStore store = SpoolStore.open(config(dir, 256 * MIB), clock)) {
      java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
      java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
      java.util.concurrent.atomic.AtomicLong observations = new java.util.concurrent.atomic.AtomicLong();
      Thread watcher =
          new Thread(
              () -> {
                long lastBytes = 0;
                try {
                  while (!done.get()) {
                    long bytes = store.bytes();
                    if (bytes < lastBytes) {
                      throw new AssertionError("bytes went down from " + lastBytes + " to " + bytes);
                    }
                    lastBytes = bytes;
                    if (store.segments() < 1) {
                      throw new AssertionError("no segment");
                    }
                    long oldest = store.oldestAppendedAtMillis();
                    if (oldest != -1 && oldest != T0) {
                      throw new AssertionError("oldest " + oldest);
                    }
                    store.directory();
                    observations.incrementAndGet();
                  }
                } catch (Throwable t) {
                  failure.set(t);
                }
              });
      watcher.start();
      long previous = store.bytes();
      for (int i = 0; i < 300; i++) {
        store.append(records(i * 50, 50, 300));
        assertThat(store.bytes()).isGreaterThan(previous);
        previous = store.bytes();
      }
      done.set(true);
      watcher.join(10_000);

      assertThat(failure.get()).isNull();
      assertThat(observations.get()).isPositive();
      assertThat(store.oldestAppendedAtMillis()).isEqualTo(T0);
      long files = 0;
      for (Path segment : segmentFiles(dir)) {
        files += Files.size(segment);
      }
      assertThat(store.bytes()).isEqualTo(files);
      assertThat(store.segments()).isEqualTo(segmentFiles(dir).size());
    }
  }

  @Test
  void acknowledgingZeroRecordsChangesNothingAndANegativeCountIsRefused() throws Exception {
    try (SpoolStore store = SpoolStore.open(config(dir, 64 * MIB), clock)) {
      store.append(records(0, 3, 100));
      store.read(3, Long.MAX_VALUE);

      store.acknowledge(0, 0);

      assertThat(store.unacknowledged()).isEqualTo(3);
      assertThat(checkpointOf(dir)).isZero();
      assertThatThrownBy(() -> store.acknowledge(0, -1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("count must not be negative, was -1");
      assertThat(store.unacknowledged()).isEqualTo(3);
    }
  }

  @Test
  void aClosedStoreRefusesAcknowledgementsAndSync() throws Exception {
    SpoolStore store = SpoolStore.open(config(dir, 64 * MIB), clock);
    store.append(records(0, 2, 100));
    store.read(2, Long.MAX_VALUE);
    store.close();

    assertThatThrownBy(() -> store.acknowledge(0, 2)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(store::sync).isInstanceOf(IllegalStateException.class);
    try (SpoolStore reopened = SpoolStore.open(config(dir, 64 * MIB), clock)) {
      assertThat(sequences(readAll(reopened))).containsExactly(0L, 1L);
    }
  }

  @Test
  void onceTheOnlyRecordReadIsAcknowledgedTheOldestIsTheNextUnreadRecord() throws Exception {
    try (SpoolStore store = SpoolStore.open(config(dir, 64 * MIB), clock)) {
      store.append(records(0, 1, 100));
      clock.advance(Duration.ofSeconds(1));
      store.append(records(1, 1, 100));
      clock.advance(Duration.ofSeconds(1));
      store.append(records(2, 1, 100));

      assertThat(sequences(store.read(1, Long.MAX_VALUE))).containsExactly(0L);
      store.acknowledge(0, 1);
      assertThat(store.oldestAppendedAtMillis()).isEqualTo(T0 + 1000);

      assertThat(sequences(store.read(1, Long.MAX_VALUE))).containsExactly(1L);
      store.acknowledge(1, 1);
      assertThat(store.oldestAppendedAtMillis()).isEqualTo(T0 + 2000);
      assertThat(sequences(store.read(10, Long.MAX_VALUE))).containsExactly(2L);
    }
  }

  @Test
  void aRecordAppendedAtTimeZeroStaysTheOldest() throws Exception {
    MutableClock epoch = new MutableClock(0);
    try (SpoolStore store = SpoolStore.open(config(dir, 64 * MIB), epoch)) {
      store.append(records(0, 1, 100));
      epoch.advance(Duration.ofSeconds(1));
      store.append(records(1, 1, 100));

      assertThat(store.oldestAppendedAtMillis()).isZero();
    }
  }

  @Test
  void aBatchOfSeveralMebibytesIsWrittenWholeAndReadBack() throws Exception {
    try (SpoolStore store = SpoolStore.open(config(dir, 64 * MIB), clock)) {
      List<SpoolRecord> batch = records(0, 5000, 1000); // about 5 MiB, in one 8 MiB segment
      store.append(batch);

      assertThat(segmentFiles(dir)).hasSize(1);
      assertThat(store.bytes()).isEqualTo(Files.size(segmentFiles(dir).get(0)));
      List<SpoolRecord> read = readAll(store);
      assertThat(sequences(read)).isEqualTo(range(0, 5000));
      assertThat(read).extracting(SpoolFixtures::numberOf).isEqualTo(range(0, 5000).stream().map(Long::intValue).toList());
      assertThat(store.drainCorrupt()).isZero();
    }
    try (SpoolStore store = SpoolStore.open(config(dir, 64 * MIB), clock)) {
      assertThat(store.recovery()).isEqualTo(new SpoolStore.Recovery(5000, 0, 0, 0));
    }
  }

  @Test
  void aCheckpointThatCouldNotBeWrittenOnAcknowledgementIsWrittenAtClose() throws Exception {
    Path blocker = dir.resolve("checkpoint.tmp");
    try (SpoolStore store = SpoolStore.open(config(dir, 64 * MIB), clock)) {
      store.append(records(0, 5, 100));
      store.read(5, Long.MAX_VALUE);
      Files.createDirectory(blocker); // the checkpoint cannot be replaced while this is in the way

      store.acknowledge(0, 3);

      assertThat(checkpointOf(dir)).isZero();
      Files.delete(blocker);
    }
    assertThat(checkpointOf(dir)).isEqualTo(3);
    try (SpoolStore store = SpoolStore.open(config(dir, 64 * MIB), clock)) {
      assertThat(sequences(readAll(store))).containsExactly(3L, 4L);
    }
  }

  @Test
  void anOpenThatFailsReleasesTheDirectory() throws Exception {
    Path blocker = Files.createDirectories(dir.resolve("checkpoint.tmp"));
    Files.write(blocker.resolve("inside"), new byte[] {1});

    assertThatThrownBy(() -> SpoolStore.open(config(dir, 64 * MIB), clock))
        .isInstanceOf(java.io.IOException.class)
        .hasMessageContaining("is not usable");

    Files.delete(blocker.resolve("inside"));
    Files.delete(blocker);
    try (SpoolStore store = SpoolStore.open(config(dir, 64 * MIB), clock)) {
      store.append(records(0, 1, 100));
      assertThat(sequences(readAll(store))).containsExactly(0L);
    }
  }


  @Test
  void anOpenThatFailsWithAnUnexpectedErrorReleasesTheDirectory() throws Exception {
    ChannelOpener failingToCreate =
        (path, options) -> {
          if (List.of(options).contains(java.nio.file.StandardOpenOption.CREATE)) {
            throw new SecurityException("creating " + path.getFileName() + " is not permitted");
          }
          return java.nio.channels.FileChannel.open(path, options);
        };

    assertThatThrownBy(() -> SpoolStore.open(config(dir, 64 * MIB), clock, failingToCreate))
        .isInstanceOf(SecurityException.class)
        .hasMessage("creating segment-00000000000000000000.log is not permitted");

    try (SpoolStore store = SpoolStore.open(config(dir, 64 * MIB), clock)) {
      store.append(records(0, 1, 100));
      assertThat(sequences(readAll(store))).containsExactly(0L);
    }
  }

  @Test
  void aTemporaryCheckpointACrashLeftBehindIsRemovedAtOpenAlsoWhenTheCheckpointNeedsNoRewrite() throws Exception {
    try (SpoolStore store = SpoolStore.open(config(dir, 64 * MIB), clock)) {
      store.append(records(0, 3, 100));
    }
    Path temporary = Files.write(dir.resolve("checkpoint.tmp"), new byte[] {1, 2, 3});

    try (SpoolStore store = SpoolStore.open(config(dir, 64 * MIB), clock)) {
      assertThat(temporary).doesNotExist();
      assertThat(sequences(readAll(store))).containsExactly(0L, 1L, 2L);
    }
  }

  @Test
  void aRecordWithEmptyStringsAndNoJsonIsReadBackAlsoAfterARestart() throws Exception {
    SpoolRecord empty = SpoolRecord.of("", "", "", new byte[0]);
    try (SpoolStore store = SpoolStore.open(config(dir, 64 * MIB), clock)) {
      store.append(List.of(record(0, 100), empty));

      List<SpoolRecord> read = store.read(10, Long.MAX_VALUE);

      assertThat(read).hasSize(2);
      assertThat(read.get(1)).isEqualTo(new SpoolRecord(1, T0, "", "", "", new byte[0]));
    }
    assertThat(Files.size(dir.resolve("segment-00000000000000000000.log")))
        .isEqualTo(SpoolFixtures.frames(dir.resolve("segment-00000000000000000000.log")).get(0).end() + 38);
    try (SpoolStore store = SpoolStore.open(config(dir, 64 * MIB), clock)) {
      assertThat(store.recovery()).isEqualTo(new SpoolStore.Recovery(2, 0, 0, 0));
      assertThat(sequences(readAll(store))).containsExactly(0L, 1L);
    }
  }

  @Test
  void damageRightBeforeAMinimalLastRecordCostsOnlyTheDamagedRecord() throws Exception {
    try (SpoolStore store = SpoolStore.open(config(dir, 64 * MIB), clock)) {
      store.append(records(0, 3, 100));
      store.append(List.of(SpoolRecord.of("", "", "", new byte[0])));
    }
    Path segment = dir.resolve("segment-00000000000000000000.log");
    SpoolFixtures.flip(segment, SpoolFixtures.frames(segment).get(2).offset(), 4);

    try (SpoolStore store = SpoolStore.open(config(dir, 64 * MIB), clock)) {
      assertThat(store.recovery()).isEqualTo(new SpoolStore.Recovery(3, 1, 0, 0));
      assertThat(sequences(readAll(store))).containsExactly(0L, 1L, 3L);
    }
  }


  @Test
  void syncWritesACheckpointThatCouldNotBeWrittenOnAcknowledgement() throws Exception {
    Path blocker = dir.resolve("checkpoint.tmp");
    try (SpoolStore store = SpoolStore.open(config(dir, 64 * MIB), clock)) {
      store.append(records(0, 5, 100));
      store.read(5, Long.MAX_VALUE);
      Files.createDirectory(blocker);
      store.acknowledge(0, 2);
      assertThat(checkpointOf(dir)).isZero();
      Files.delete(blocker);

      store.sync();

      assertThat(checkpointOf(dir)).isEqualTo(2);
    }
  }

  /** The watermark of the checkpoint file. */
  static long checkpointOf(Path dir) throws java.io.IOException {
    return checkpointFields(dir)[0];
  }

  /**
   * The checkpoint file's watermark, records detached by eviction and by expiry, after checking its
   * length and CRC32C.
   */
  static long[] checkpointFields(Path dir) throws java.io.IOException {
    ByteBuffer checkpoint = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("checkpoint")));
    assertThat(checkpoint.limit()).isEqualTo(28);
    CRC32C crc = new CRC32C();
    crc.update(checkpoint.array(), 0, 24);
    assertThat(checkpoint.getInt(24)).isEqualTo((int) crc.getValue());
    return new long[] {checkpoint.getLong(0), checkpoint.getLong(8), checkpoint.getLong(16)};
  }
}
