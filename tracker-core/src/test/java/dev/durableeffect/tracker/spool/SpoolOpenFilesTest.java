package dev.durableeffect.tracker.spool;

import static dev.durableeffect.tracker.spool.SpoolFixtures.T0;
import static dev.durableeffect.tracker.spool.SpoolFixtures.config;
import static dev.durableeffect.tracker.spool.SpoolFixtures.flip;
import static dev.durableeffect.tracker.spool.SpoolFixtures.range;
import static dev.durableeffect.tracker.spool.SpoolFixtures.readAll;
import static dev.durableeffect.tracker.spool.SpoolFixtures.records;
import static dev.durableeffect.tracker.spool.SpoolFixtures.segmentFiles;
import static dev.durableeffect.tracker.spool.SpoolFixtures.sequences;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.durableeffect.tracker.spool.SpoolFixtures.MutableClock;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files the store keeps open, as Linux lists this process's descriptors in /proc/self/fd: a
 * bounded few while it runs, none once it is closed or refused, and never a deleted segment (whose
 * disk space an open descriptor would keep in use).
 */
class SpoolOpenFilesTest {

  private static final long MIB = 1024 * 1024;
  private static final Path DESCRIPTORS = Path.of("/proc/self/fd");

  @TempDir Path dir;

  private final MutableClock clock = new MutableClock(T0);

  @BeforeEach
  void onLinux() {
    assumeTrue(Files.isDirectory(DESCRIPTORS), "needs /proc/self/fd");
  }

  /**
   * The names, relative to the spool directory, of the files this process has open in it; Linux
   * appends " (deleted)" to a deleted one.
   */
  private List<String> openFiles() throws IOException {
    String prefix = dir.toRealPath() + "/";
    List<String> open = new ArrayList<>();
    try (DirectoryStream<Path> descriptors = Files.newDirectoryStream(DESCRIPTORS)) {
      for (Path descriptor : descriptors) {
        String target;
        try {
          target = Files.readSymbolicLink(descriptor).toString();
        } catch (IOException closedMeanwhile) {
          continue;
        }
        if (target.startsWith(prefix)) {
          open.add(target.substring(prefix.length()));
        }
      }
    }
    return open;
  }

  private void writeThreeSegments() throws IOException {
    try (SpoolStore store = SpoolStore.open(config(dir, MIB), clock)) {
      for (int i = 0; i < 600; i += 50) {
        store.append(records(i, 50, 1000));
      }
    }
    assertThat(segmentFiles(dir)).hasSize(3);
  }

  @Test
  void onlyTheLockAndTheSegmentBeingWrittenAreOpenAfterOpeningAndReadingThroughRecoveredSegmentsAndNoneAfterClose()
      throws Exception {
    writeThreeSegments();
    Path last = segmentFiles(dir).get(2);

    try (SpoolStore store = SpoolStore.open(config(dir, MIB), clock)) {
      assertThat(openFiles()).containsExactlyInAnyOrder("lock", last.getFileName().toString());
      assertThat(sequences(readAll(store))).isEqualTo(range(0, 600));
      store.acknowledge(0, 300);

      assertThat(openFiles()).containsExactlyInAnyOrder("lock", last.getFileName().toString());
    }
    assertThat(openFiles()).isEmpty();
  }

  @Test
  void writingManySegmentsUnreadKeepsAtMostThreeFilesOpen() throws Exception {
    try (SpoolStore store = SpoolStore.open(config(dir, 2 * MIB), clock)) {
      for (int i = 0; i < 1200; i += 50) {
        store.append(records(i, 50, 1000));
      }
      assertThat(store.segments()).isGreaterThanOrEqualTo(5);

      assertThat(openFiles()).as("the lock, the segment the reader is in, the one being written").hasSizeLessThanOrEqualTo(3);
    }
    assertThat(openFiles()).isEmpty();
  }

  @Test
  void anOpenRefusedBecauseTheDirectoryIsInUseLeavesNoFileOpen() throws Exception {
    SpoolStore first = SpoolStore.open(config(dir, MIB), clock);
    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(() -> SpoolStore.open(config(dir, MIB), clock)).isInstanceOf(SpoolLockedException.class);
    }

    first.close();

    assertThat(openFiles()).isEmpty();
  }

  @Test
  void segmentsMovedAsideAtOpenAreNotKeptOpen() throws Exception {
    writeThreeSegments();
    Path middle = segmentFiles(dir).get(1);
    Path first = segmentFiles(dir).get(0);
    flip(middle, 0, 4); // a damaged header
    Files.move(first, first.resolveSibling(Segment.fileName(1))); // a header stating another first sequence

    try (SpoolStore store = SpoolStore.open(config(dir, MIB), clock)) {
      assertThat(store.recovery().corrupt()).isPositive();

      assertThat(openFiles()).noneMatch(name -> name.contains(".damaged"));
    }
    assertThat(openFiles()).isEmpty();
  }

  @Test
  void aSegmentWhoseReadsFailAtOpenIsMovedAsideAndNotKeptOpen() throws Exception {
    writeThreeSegments();
    Path middle = segmentFiles(dir).get(1);
    FailingChannels channels = new FailingChannels();
    channels.failReadsOf = middle::equals;

    try (SpoolStore store = SpoolStore.open(config(dir, MIB), clock, channels)) {
      assertThat(middle.resolveSibling(middle.getFileName() + ".damaged")).exists();

      assertThat(openFiles()).noneMatch(name -> name.contains(".damaged"));
    }
    assertThat(openFiles()).isEmpty();
  }

  @Test
  void aNewSegmentWhoseHeaderCannotBeWrittenIsRemovedAndNotKeptOpen() throws Exception {
    FailingChannels channels = new FailingChannels();
    try (SpoolStore store = SpoolStore.open(config(dir, MIB), clock, channels)) {
      store.append(records(0, 230, 1000)); // most of one 256 KiB segment
      channels.failHeaderWrites = true;
      assertThatThrownBy(() -> store.append(records(230, 50, 1000))).isInstanceOf(IOException.class);

      assertThat(segmentFiles(dir)).hasSize(1);
      assertThat(openFiles()).noneMatch(name -> name.endsWith("(deleted)"));
      channels.failHeaderWrites = false;
      store.append(records(230, 50, 1000));
      assertThat(sequences(readAll(store))).isEqualTo(range(0, 280));
    }
    assertThat(openFiles()).isEmpty();
  }

  @Test
  void aSegmentRemovedAfterAFailedAppendIsNotKeptOpen() throws Exception {
    FailingChannels channels = new FailingChannels();
    try (SpoolStore store = SpoolStore.open(config(dir, MIB), clock, channels)) {
      store.append(records(0, 230, 1000));
      Path segment = segmentFiles(dir).get(0);
      channels.failWritesTo = path -> !path.getFileName().equals(segment.getFileName());
      assertThatThrownBy(() -> store.append(records(230, 50, 1000))).isInstanceOf(IOException.class);

      assertThat(openFiles()).noneMatch(name -> name.endsWith("(deleted)"));
      channels.failWritesTo = path -> false;
      store.append(records(230, 50, 1000));
      assertThat(sequences(readAll(store))).isEqualTo(range(0, 280));
    }
    assertThat(openFiles()).isEmpty();
  }
}
