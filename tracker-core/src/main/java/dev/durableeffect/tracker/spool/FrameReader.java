package dev.durableeffect.tracker.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * Reads the frames of one segment in order through a reusable window, checking each frame's magic,
 * length, CRC and layout. Damaged bytes are skipped by scanning forward byte by byte for the next
 * magic whose frame checks out.
 */
final class FrameReader {

  private final CRC32C crc = new CRC32C();
  private byte[] window;
  private long windowStart;
  private int windowLength;

  private @Nullable FileChannel channel;
  private long position;
  private long limit;

  private boolean current;
  private long frameOffset;
  private long frameEnd;
  private long sequence;
  private long appendedAt;
  private long damageFrom = -1;

  FrameReader(int windowBytes) {
    window = new byte[windowBytes];
  }

  /** Reads {@code channel} from {@code position} up to {@code limit}. */
  void reset(FileChannel channel, long position, long limit) {
    this.channel = channel;
    this.position = position;
    this.limit = limit;
    this.windowLength = 0;
    this.current = false;
    this.damageFrom = -1;
  }

  /** Forgets the channel, for example because its segment was deleted. */
  void detach() {
    channel = null;
    windowLength = 0;
    current = false;
  }

  /** Whether the reader reads {@code candidate}. */
  boolean reads(FileChannel candidate) {
    return channel == candidate;
  }

  /** Lets the reader see bytes up to {@code limit}, as the writer appends them. */
  void limit(long limit) {
    this.limit = limit;
  }

  /** Where the next frame is looked for: after the last skipped frame, or at the first damaged byte. */
  long position() {
    return position;
  }

  /** The offset of the first byte skipped as damaged before the current frame, or -1. */
  long damageFrom() {
    return damageFrom;
  }

  /**
   * Positions on the next intact frame, skipping damaged bytes before it. When it returns false, the
   * position stays at the first unusable byte (the limit when the segment ended cleanly).
   */
  boolean next() throws IOException {
    if (current) {
      return true;
    }
    damageFrom = -1;
    long offset = position;
    while (limit - offset >= FrameEncoder.OVERHEAD + FrameEncoder.MIN_PAYLOAD) {
      if (tryFrame(offset)) {
        if (offset != position) {
          damageFrom = position;
          position = offset;
        }
        current = true;
        return true;
      }
      offset = nextMagic(offset + 1);
    }
    return false;
  }

  long frameOffset() {
    return frameOffset;
  }

  long frameEnd() {
    return frameEnd;
  }

  long sequence() {
    return sequence;
  }

  long appendedAt() {
    return appendedAt;
  }

  /** Moves past the current frame. */
  void skip() {
    position = frameEnd;
    current = false;
  }

  /** Decodes the current frame; the layout was checked by {@link #next()}. */
  SpoolRecord record() throws IOException {
    load(frameOffset, (int) (frameEnd - frameOffset));
    int p = (int) (frameOffset - windowStart) + FrameEncoder.OVERHEAD;
    int length = unsignedShort(p);
    String workflowId = new String(window, p + 2, length, StandardCharsets.UTF_8);
    p += 2 + length;
    length = unsignedShort(p);
    String eventId = new String(window, p + 2, length, StandardCharsets.UTF_8);
    p += 2 + length;
    length = unsignedShort(p);
    String type = new String(window, p + 2, length, StandardCharsets.UTF_8);
    p += 2 + length;
    length = readInt(p);
    byte[] json = Arrays.copyOfRange(window, p + 4, p + 4 + length);
    return new SpoolRecord(sequence, appendedAt, workflowId, eventId, type, json);
  }

  /** The JSON length of the current frame. */
  int jsonLength() throws IOException {
    load(frameOffset, (int) (frameEnd - frameOffset));
    int p = (int) (frameOffset - windowStart) + FrameEncoder.OVERHEAD;
    for (int i = 0; i < 3; i++) {
      p += 2 + unsignedShort(p);
    }
    return readInt(p);
  }

  private boolean tryFrame(long offset) throws IOException {
    load(offset, FrameEncoder.OVERHEAD);
    int p = (int) (offset - windowStart);
    if (readInt(p) != FrameEncoder.MAGIC) {
      return false;
    }
    int payload = readInt(p + 4);
    if (payload < FrameEncoder.MIN_PAYLOAD || payload > limit - offset - FrameEncoder.OVERHEAD) {
      return false;
    }
    int frameBytes = FrameEncoder.OVERHEAD + payload;
    load(offset, frameBytes);
    p = (int) (offset - windowStart);
    crc.reset();
    crc.update(window, p + FrameEncoder.CRC_START, frameBytes - FrameEncoder.CRC_START);
    if (readInt(p + 8) != (int) crc.getValue() || !layoutFits(p + FrameEncoder.OVERHEAD, p + frameBytes)) {
      return false;
    }
    frameOffset = offset;
    frameEnd = offset + frameBytes;
    sequence = readLong(p + 12);
    appendedAt = readLong(p + 20);
    return true;
  }

  private boolean layoutFits(int from, int end) {
    int p = from;
    for (int i = 0; i < 3; i++) {
      if (end - p < 2) {
        return false;
      }
      p += 2 + unsignedShort(p);
    }
    if (end - p < 4) {
      return false;
    }
    int json = readInt(p);
    return json >= 0 && json == end - p - 4;
  }

  /** The offset of the next byte at or after {@code from} where the frame magic begins, or the limit. */
  private long nextMagic(long from) throws IOException {
    byte first = (byte) (FrameEncoder.MAGIC >>> 24);
    long last = limit - (FrameEncoder.OVERHEAD + FrameEncoder.MIN_PAYLOAD);
    for (long offset = from; offset <= last; offset++) {
      load(offset, 4);
      int p = (int) (offset - windowStart);
      if (window[p] == first && readInt(p) == FrameEncoder.MAGIC) {
        return offset;
      }
    }
    return limit;
  }

  /** Makes the bytes {@code [offset, offset + length)} available in the window. */
  private void load(long offset, int length) throws IOException {
    if (offset >= windowStart && offset + length <= windowStart + windowLength) {
      return;
    }
    FileChannel source = channel;
    if (source == null) {
      throw new IllegalStateException("no segment to read");
    }
    if (length > window.length) {
      window = new byte[Math.max(length, 2 * window.length)];
    }
    int wanted = (int) Math.min(window.length, limit - offset);
    ByteBuffer target = ByteBuffer.wrap(window, 0, wanted);
    windowStart = offset;
    windowLength = 0;
    while (target.hasRemaining()) {
      int read = source.read(target, offset + target.position());
      if (read < 0) {
        break;
      }
      windowLength = target.position();
    }
    if (windowLength < length) {
      throw new IOException("the file ended at offset " + (offset + windowLength) + ", before its limit " + limit);
    }
  }

  private int unsignedShort(int p) {
    return ((window[p] & 0xFF) << 8) | (window[p + 1] & 0xFF);
  }

  private int readInt(int p) {
    return ((window[p] & 0xFF) << 24)
        | ((window[p + 1] & 0xFF) << 16)
        | ((window[p + 2] & 0xFF) << 8)
        | (window[p + 3] & 0xFF);
  }

  private long readLong(int p) {
    return ((long) readInt(p) << 32) | (readInt(p + 4) & 0xFFFFFFFFL);
  }
}
