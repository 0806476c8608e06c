package dev.durableeffect.tracker.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The reader on its own, over files of frames made by {@link FrameEncoder}, with windows smaller
 * than the frames so that every frame is read across window reloads: where each frame is, what is
 * reported as damaged, and that nothing past the limit is taken for data.
 */
class FrameReaderTest {

  /** Where the first frame starts, as after a segment header. */
  private static final int START = 20;

  @TempDir Path dir;

  private final List<FileChannel> channels = new ArrayList<>();

  @AfterEach
  void closeChannels() throws IOException {
    for (FileChannel channel : channels) {
      channel.close();
    }
  }

  /** The frames of {@code records}, numbered from sequence 100, appended at 5,000 + sequence. */
  private static byte[] frames(List<SpoolRecord> records) {
    FrameEncoder encoder = new FrameEncoder(64);
    for (int i = 0; i < records.size(); i++) {
      encoder.encode(100 + i, 5_000 + 100 + i, records.get(i));
    }
    ByteBuffer encoded = encoder.slice(encoder.position());
    byte[] bytes = new byte[encoded.remaining()];
    encoded.get(bytes);
    return bytes;
  }

  private static SpoolRecord small(int n) {
    return SpoolRecord.of("wf-" + n, "ev-" + n, "t", ("{\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8));
  }

  /** A file of {@code START} zero bytes, then {@code body}. */
  private FileChannel file(byte[] body) throws IOException {
    Path file = dir.resolve("frames-" + channels.size());
    byte[] bytes = new byte[START + body.length];
    System.arraycopy(body, 0, bytes, START, body.length);
    Files.write(file, bytes);
    FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    channels.add(channel);
    return channel;
  }

  /** The offsets at which frames start in a file made by {@link #file}, and the end of the last. */
  private static List<Long> offsets(byte[] body) {
    ByteBuffer frames = ByteBuffer.wrap(body);
    List<Long> offsets = new ArrayList<>();
    int p = 0;
    while (p < body.length) {
      offsets.add((long) START + p);
      p += FrameEncoder.OVERHEAD + frames.getInt(p + 4);
    }
    offsets.add((long) START + p);
    return offsets;
  }

  private static SpoolRecord stamped(int index, SpoolRecord record) {
    return new SpoolRecord(
        100 + index, 5_000 + 100 + index, record.workflowId(), record.eventId(), record.type(), record.json());
  }

  @Test
  void eachIntactFrameIsFoundWhereItIsWithNoDamageReported() throws IOException {
    List<SpoolRecord> records = List.of(small(0), small(1), small(2));
    byte[] body = frames(records);
    List<Long> offsets = offsets(body);
    FileChannel channel = file(body);
    FrameReader reader = new FrameReader(16);
    reader.reset(channel, START, channel.size());

    for (int i = 0; i < records.size(); i++) {
      assertThat(reader.next()).isTrue();
      assertThat(reader.frameOffset()).isEqualTo(offsets.get(i));
      assertThat(reader.frameEnd()).isEqualTo(offsets.get(i + 1));
      assertThat(reader.position()).isEqualTo(offsets.get(i));
      assertThat(reader.damageFrom()).isEqualTo(-1);
      assertThat(reader.sequence()).isEqualTo(100 + i);
      assertThat(reader.appendedAt()).isEqualTo(5_100 + i);
      assertThat(reader.jsonLength()).isEqualTo(records.get(i).json().length);
      assertThat(reader.record()).isEqualTo(stamped(i, records.get(i)));
      reader.skip();
    }
    assertThat(reader.next()).isFalse();
    assertThat(reader.position()).isEqualTo(channel.size());
  }

  @Test
  void damagedBytesBeforeAFrameAreSkippedAndReportedFromTheirFirstByte() throws IOException {
    List<SpoolRecord> records = List.of(small(0), small(1), small(2));
    byte[] body = frames(records);
    List<Long> offsets = offsets(body);
    int damagedFrom = (int) (offsets.get(1) - START) + 3; // inside the second frame's header
    for (int i = damagedFrom; i < damagedFrom + 6; i++) {
      body[i] ^= (byte) 0xFF;
    }
    FileChannel channel = file(body);
    FrameReader reader = new FrameReader(16);
    reader.reset(channel, START, channel.size());

    assertThat(reader.next()).isTrue();
    assertThat(reader.damageFrom()).isEqualTo(-1);
    reader.skip();
    assertThat(reader.next()).isTrue();

    assertThat(reader.sequence()).isEqualTo(102);
    assertThat(reader.damageFrom()).as("where the skipped bytes began").isEqualTo(offsets.get(1));
    assertThat(reader.frameOffset()).isEqualTo(offsets.get(2));
    assertThat(reader.position()).isEqualTo(offsets.get(2));
    assertThat(reader.record()).isEqualTo(stamped(2, records.get(2)));
  }

  @Test
  void stringsOfMoreThan255BytesAreReadWhole() throws IOException {
    SpoolRecord record = SpoolRecord.of("w".repeat(300), "\u00e9".repeat(700), "t".repeat(256), new byte[] {'{', '}'});
    FileChannel channel = file(frames(List.of(record)));
    FrameReader reader = new FrameReader(16);
    reader.reset(channel, START, channel.size());

    assertThat(reader.next()).isTrue();
    assertThat(reader.jsonLength()).isEqualTo(2);
    assertThat(reader.record()).isEqualTo(stamped(0, record));
  }

  /**
   * A frame whose CRC matches but whose string length {@code field} (0 workflowId, 1 eventId, 2 type)
   * says 65,535 bytes, far past its end, is damage; the reader, its window smaller than that, goes
   * on to the next frame.
   */
  @ParameterizedTest(name = "string {0}")
  @ValueSource(ints = {0, 1, 2})
  void aStringLengthPointingFarPastItsFrameIsDamageWhateverTheWindowSize(int field) throws IOException {
    List<SpoolRecord> records = List.of(small(0), small(1), small(2));
    byte[] body = frames(records);
    List<Long> offsets = offsets(body);
    ByteBuffer frames = ByteBuffer.wrap(body);
    int frame = (int) (offsets.get(1) - START);
    int p = frame + FrameEncoder.OVERHEAD;
    for (int i = 0; i < field; i++) {
      p += 2 + (frames.getShort(p) & 0xFFFF);
    }
    frames.putShort(p, (short) 0xFFFF);
    CRC32C crc = new CRC32C();
    crc.update(body, frame + FrameEncoder.CRC_START, (int) (offsets.get(2) - offsets.get(1)) - FrameEncoder.CRC_START);
    frames.putInt(frame + 8, (int) crc.getValue());
    FileChannel channel = file(body);
    FrameReader reader = new FrameReader(64);
    reader.reset(channel, START, channel.size());

    assertThat(reader.next()).isTrue();
    reader.skip();
    assertThat(reader.next()).isTrue();

    assertThat(reader.sequence()).isEqualTo(102);
    assertThat(reader.damageFrom()).isEqualTo(offsets.get(1));
  }

  @Test
  void aFrameTheLimitCutsShortIsNotReadUntilTheLimitCoversIt() throws IOException {
    List<SpoolRecord> records = List.of(small(0), small(1));
    byte[] body = frames(records);
    List<Long> offsets = offsets(body);
    FileChannel channel = file(body);
    FrameReader reader = new FrameReader(16);
    reader.reset(channel, START, offsets.get(2) - 1);

    assertThat(reader.next()).isTrue();
    reader.skip();
    assertThat(reader.next()).as("one byte of the second frame is past the limit").isFalse();
    assertThat(reader.position()).isEqualTo(offsets.get(1));

    reader.limit(offsets.get(2));
    assertThat(reader.next()).isTrue();
    assertThat(reader.damageFrom()).isEqualTo(-1);
    assertThat(reader.record()).isEqualTo(stamped(1, records.get(1)));
  }

  @Test
  void bytesPastTheLimitAreNotTakenFromAnEarlierReadOnceTheLimitMoves() throws IOException {
    // A failed append that could not be cut back leaves stale bytes past the end; the next append
    // writes over them.
    List<SpoolRecord> records = List.of(small(0), small(1));
    byte[] body = frames(records);
    List<Long> offsets = offsets(body);
    byte[] stale = body.clone();
    for (int i = (int) (offsets.get(1) - START); i < stale.length; i++) {
      stale[i] = (byte) 0xEE;
    }
    FileChannel channel = file(stale);
    FrameReader reader = new FrameReader(1024);
    reader.reset(channel, START, offsets.get(1));
    assertThat(reader.next()).isTrue();
    reader.skip();
    assertThat(reader.next()).isFalse();

    channel.write(ByteBuffer.wrap(body, (int) (offsets.get(1) - START), (int) (offsets.get(2) - offsets.get(1))), offsets.get(1));
    reader.limit(offsets.get(2));

    assertThat(reader.next()).isTrue();
    assertThat(reader.damageFrom()).isEqualTo(-1);
    assertThat(reader.record()).isEqualTo(stamped(1, records.get(1)));
  }

  @Test
  void aFileShorterThanItsLimitIsAnErrorNamingWhereItEnded() throws IOException {
    List<SpoolRecord> records = new ArrayList<>();
    for (int i = 0; i < 11; i++) {
      records.add(SpoolRecord.of("", "", "", new byte[] {'{', '}'})); // 40-byte frames
    }
    byte[] frames = frames(records);
    // Ten whole frames and the first 10 bytes of the eleventh.
    FileChannel channel = file(Arrays.copyOf(frames, frames.length - 30));
    records = records.subList(0, 10);
    long size = channel.size();
    FrameReader reader = new FrameReader(128);
    reader.reset(channel, START, size + 100);

    for (int i = 0; i < records.size(); i++) {
      assertThat(reader.next()).isTrue();
      assertThat(reader.sequence()).isEqualTo(100 + i);
      reader.skip();
    }
    assertThatIOException()
        .isThrownBy(reader::next)
        .withMessage("the file ended at offset " + size + ", before its limit " + (size + 100));
  }
}
