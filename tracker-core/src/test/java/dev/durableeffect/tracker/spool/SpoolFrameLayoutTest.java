package dev.durableeffect.tracker.spool;

import static dev.durableeffect.tracker.spool.SpoolFixtures.T0;
import static dev.durableeffect.tracker.spool.SpoolFixtures.config;
import static dev.durableeffect.tracker.spool.SpoolFixtures.frames;
import static dev.durableeffect.tracker.spool.SpoolFixtures.readAll;
import static dev.durableeffect.tracker.spool.SpoolFixtures.records;
import static dev.durableeffect.tracker.spool.SpoolFixtures.sequences;
import static org.assertj.core.api.Assertions.assertThat;

import dev.durableeffect.tracker.spool.SpoolFixtures.Frame;
import dev.durableeffect.tracker.spool.SpoolFixtures.MutableClock;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Frames whose CRC matches but whose inner lengths do not add up to the frame (written by a buggy
 * or foreign writer) are damage: only that record is lost.
 */
class SpoolFrameLayoutTest {

  private static final long MIB = 1024 * 1024;

  @TempDir Path dir;

  private final MutableClock clock = new MutableClock(T0);

  /**
   * Sets the 2-byte length of string {@code field} (0 workflowId, 1 eventId, 2 type), or with field 3
   * the 4-byte JSON length, of frame {@code frame} to {@code value}, and makes the CRC match again.
   */
  private static void rewriteLength(Path segment, Frame frame, int field, int value) throws Exception {
    ByteBuffer file = ByteBuffer.wrap(Files.readAllBytes(segment));
    int p = (int) frame.offset() + 28;
    for (int i = 0; i < field; i++) {
      p += 2 + (file.getShort(p) & 0xFFFF);
    }
    if (field == 3) {
      file.putInt(p, value);
    } else {
      file.putShort(p, (short) value);
    }
    CRC32C crc = new CRC32C();
    crc.update(file.array(), (int) frame.offset() + 12, (int) (frame.end() - frame.offset()) - 12);
    file.putInt((int) frame.offset() + 8, (int) crc.getValue());
    Files.write(segment, file.array());
  }

  @ParameterizedTest(name = "field {0} set to {1}")
  @CsvSource({"3,-1", "3,199", "0,65535", "2,65535", "0,0", "2,0"})
  void aFrameWithAMatchingCrcButLengthsThatDoNotFitIsCountedAsOneLostRecord(int field, int value) throws Exception {
    try (SpoolStore store = SpoolStore.open(config(dir, MIB), clock)) {
      store.append(records(0, 3, 200));
    }
    Path segment = dir.resolve("segment-00000000000000000000.log");
    int jsonLength = ByteBuffer.wrap(Files.readAllBytes(segment)).getInt((int) frames(segment).get(1).end() - 4 - 200);
    assertThat(jsonLength).isEqualTo(200);
    rewriteLength(segment, frames(segment).get(1), field, value);

    try (SpoolStore store = SpoolStore.open(config(dir, MIB), clock)) {
      assertThat(store.recovery()).isEqualTo(new SpoolStore.Recovery(2, 1, 0, 0));
      assertThat(segment).exists();
      assertThat(sequences(readAll(store))).containsExactly(0L, 2L);
      assertThat(store.drainCorrupt()).isZero();
    }
  }
}
