package dev.durableeffect.tracker.spool;

import static dev.durableeffect.tracker.spool.SpoolFixtures.T0;
import static dev.durableeffect.tracker.spool.SpoolFixtures.config;
import static dev.durableeffect.tracker.spool.SpoolFixtures.range;
import static dev.durableeffect.tracker.spool.SpoolFixtures.readAll;
import static dev.durableeffect.tracker.spool.SpoolFixtures.records;
import static dev.durableeffect.tracker.spool.SpoolFixtures.segmentFiles;
import static dev.durableeffect.tracker.spool.SpoolFixtures.sequences;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.durableeffect.tracker.spool.SpoolFixtures.MutableClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An append that fails midway (a full disk) leaves the store as it was before the call, and usable. */
class SpoolAppendFailureTest {

  private static final long MIB = 1024 * 1024;

  @TempDir Path dir;

  private final MutableClock clock = new MutableClock(T0);
  private final FailingChannels channels = new FailingChannels();

  @Test
  void aWriteThatFailsHalfwayIsCutBackAndEarlierRecordsStillReadBack() throws Exception {
    try (SpoolStore store = SpoolStore.open(config(dir, 64 * MIB), clock, channels)) {
      store.append(records(0, 10, 300));
      Path segment = segmentFiles(dir).get(0);
      long size = Files.size(segment);
      long bytes = store.bytes();

      channels.failWritesTo = path -> true;
      assertThatThrownBy(() -> store.append(records(10, 10, 300)))
          .isInstanceOf(IOException.class)
          .hasMessage("No space left on device");

      assertThat(Files.size(segment)).isEqualTo(size);
      assertThat(store.bytes()).isEqualTo(bytes);
      assertThat(store.nextSequence()).isEqualTo(10);
      assertThat(store.unacknowledged()).isEqualTo(10);
      channels.failWritesTo = path -> false;
      assertThat(sequences(readAll(store))).isEqualTo(range(0, 10));
      store.append(records(10, 5, 300));
      assertThat(sequences(readAll(store))).isEqualTo(range(10, 15));
    }
    try (SpoolStore store = SpoolStore.open(config(dir, 64 * MIB), clock)) {
      assertThat(store.recovery()).isEqualTo(new SpoolStore.Recovery(15, 0, 0, 0));
    }
  }

  @Test
  void aNewSegmentThatCannotBeCreatedUndoesTheFramesAlreadyWrittenToThePreviousOne() throws Exception {
    try (SpoolStore store = SpoolStore.open(config(dir, MIB), clock, channels)) {
      store.append(records(0, 230, 1000)); // most of one 256 KiB segment
      Path segment = segmentFiles(dir).get(0);
      long size = Files.size(segment);

      channels.failCreate = true;
      assertThatThrownBy(() -> store.append(records(230, 50, 1000))).isInstanceOf(IOException.class);

      assertThat(segmentFiles(dir)).containsExactly(segment);
      assertThat(Files.size(segment)).isEqualTo(size);
      assertThat(store.segments()).isEqualTo(1);
      assertThat(store.nextSequence()).isEqualTo(230);
      channels.failCreate = false;
      store.append(records(230, 50, 1000));
      assertThat(store.segments()).isEqualTo(2);
      assertThat(sequences(readAll(store))).isEqualTo(range(0, 280));
    }
    try (SpoolStore store = SpoolStore.open(config(dir, MIB), clock)) {
      assertThat(store.recovery()).isEqualTo(new SpoolStore.Recovery(280, 0, 0, 0));
    }
  }

  @Test
  void aWriteThatFailsInTheNewSegmentRemovesItAndCutsThePreviousOneBack() throws Exception {
    try (SpoolStore store = SpoolStore.open(config(dir, MIB), clock, channels)) {
      store.append(records(0, 230, 1000));
      Path segment = segmentFiles(dir).get(0);
      long size = Files.size(segment);
      List<SpoolRecord> read = store.read(5, Long.MAX_VALUE);

      channels.failWritesTo = path -> !path.getFileName().equals(segment.getFileName());
      assertThatThrownBy(() -> store.append(records(230, 50, 1000))).isInstanceOf(IOException.class);

      assertThat(segmentFiles(dir)).containsExactly(segment);
      assertThat(Files.size(segment)).isEqualTo(size);
      assertThat(store.bytes()).isEqualTo(size);
      channels.failWritesTo = path -> false;
      assertThat(sequences(read)).isEqualTo(range(0, 5));
      assertThat(sequences(readAll(store))).isEqualTo(range(5, 230));
      store.append(records(230, 50, 1000));
      assertThat(sequences(readAll(store))).isEqualTo(range(230, 280));
    }
  }
}
