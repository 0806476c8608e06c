package dev.durableeffect.tracker.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * One segment file, {@code segment-<first sequence, 20 digits>.log}: a 20-byte header (magic
 * {@code DTSP}, format version, first sequence, CRC32C of those 16 bytes) followed by frames. Holds
 * what the store knows about the file; the channel is opened on demand.
 */
final class Segment {

  static final int HEADER_BYTES = 20;
  static final int MAGIC = 0x44545350; // "DTSP"
  static final int VERSION = 1;

  private static final String PREFIX = "segment-";
  private static final String SUFFIX = ".log";
  private static final int DIGITS = 20;

  final Path path;
  final long firstSequence;

  /** Bytes of the file that belong to the segment: the write position of the segment being written. */
  long size;

  /** The highest sequence stored here, {@code firstSequence - 1} when none. */
  long lastSequence;

  /** The newest record's appendedAtMillis, {@code Long.MIN_VALUE} when none. */
  long newestAppendedAt = Long.MIN_VALUE;

  @Nullable FileChannel channel;

  Segment(Path path, long firstSequence, long size) {
    this.path = path;
    this.firstSequence = firstSequence;
    this.size = size;
    this.lastSequence = firstSequence - 1;
  }

  boolean hasRecords() {
    return size > HEADER_BYTES;
  }

  static String fileName(long firstSequence) {
    return PREFIX + String.format("%020d", firstSequence) + SUFFIX;
  }

  /** The first sequence a segment file name states, or -1 if the name is not a segment's. */
  static long firstSequenceOf(String fileName) {
    if (fileName.length() != PREFIX.length() + DIGITS + SUFFIX.length()
        || !fileName.startsWith(PREFIX)
        || !fileName.endsWith(SUFFIX)) {
      return -1;
    }
    String digits = fileName.substring(PREFIX.length(), PREFIX.length() + DIGITS);
    for (int i = 0; i < DIGITS; i++) {
      if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
        return -1;
      }
    }
    try {
      return Long.parseLong(digits);
    } catch (NumberFormatException tooLarge) {
      return -1;
    }
  }

  /** The header of a segment starting at {@code firstSequence}, ready to write. */
  static ByteBuffer header(long firstSequence) {
    ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
    header.putInt(MAGIC).putInt(VERSION).putLong(firstSequence);
    CRC32C crc = new CRC32C();
    crc.update(header.array(), 0, 16);
    header.putInt((int) crc.getValue());
    return header.flip();
  }

  /**
   * Reads and checks the header.
   *
   * @return the first sequence it states
   * @throws DamagedHeaderException if it is short, or its magic, version or CRC is wrong
   */
  static long readHeader(FileChannel channel) throws IOException {
    ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
    while (header.hasRemaining()) {
      if (channel.read(header, header.position()) < 0) {
        throw new DamagedHeaderException("the file is shorter than its header (" + header.position() + " bytes)");
      }
    }
    CRC32C crc = new CRC32C();
    crc.update(header.array(), 0, 16);
    if (header.getInt(0) != MAGIC) {
      throw new DamagedHeaderException("bad magic 0x" + Integer.toHexString(header.getInt(0)));
    }
    if (header.getInt(16) != (int) crc.getValue()) {
      throw new DamagedHeaderException("header CRC mismatch");
    }
    if (header.getInt(4) != VERSION) {
      throw new DamagedHeaderException("unknown format version " + header.getInt(4));
    }
    return header.getLong(8);
  }

  /** A header that cannot be trusted. */
  static final class DamagedHeaderException extends IOException {
    private static final long serialVersionUID = 1L;

    DamagedHeaderException(String message) {
      super(message);
    }
  }
}
