package dev.durableeffect.tracker.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The file {@code checkpoint}: the acknowledged watermark (long), the records detached by eviction
 * and by expiry (long each: read and not acknowledged when their segment was deleted), and the
 * CRC32C (int) of those 24 bytes. Replaced atomically: written to {@code checkpoint.tmp}, then moved
 * over the old one. The 12-byte format of earlier versions (the watermark and its CRC32C) is still
 * read, with no detached records.
 */
final class Checkpoint {

  static final String FILE = "checkpoint";
  static final String TEMPORARY = "checkpoint.tmp";
  static final int BYTES = 28;
  static final int WATERMARK_ONLY_BYTES = 12;
  private static final int CRC_OFFSET = 24;

  /** What was found on disk. */
  enum Status {
    VALID,
    MISSING,
    DAMAGED
  }

  /** What was read at open; the numbers are meaningful only when VALID. */
  record Read(Status status, long watermark, long detachedEvicted, long detachedExpired, String problem) {

    static Read unusable(Status status, String problem) {
      return new Read(status, -1, 0, 0, problem);
    }
  }

  private final Path file;
  private final Path temporary;
  private final ByteBuffer buffer = ByteBuffer.allocate(BYTES);
  private final CRC32C crc = new CRC32C();

  Checkpoint(Path directory) {
    this.file = directory.resolve(FILE);
    this.temporary = directory.resolve(TEMPORARY);
  }

  Path file() {
    return file;
  }

  /** Reads the checkpoint; never throws for a missing, short or damaged file. */
  Read read() {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException missing) {
      return Read.unusable(Status.MISSING, "it does not exist");
    } catch (IOException unreadable) {
      return Read.unusable(Status.DAMAGED, "it cannot be read at offset 0: " + unreadable);
    }
    if (bytes.length != BYTES && bytes.length != WATERMARK_ONLY_BYTES) {
      return Read.unusable(Status.DAMAGED, "it has " + bytes.length + " bytes instead of " + BYTES);
    }
    ByteBuffer read = ByteBuffer.wrap(bytes);
    int crcOffset = bytes.length - 4;
    crc.reset();
    crc.update(bytes, 0, crcOffset);
    if (read.getInt(crcOffset) != (int) crc.getValue()) {
      return Read.unusable(Status.DAMAGED, "its CRC at offset " + crcOffset + " does not match");
    }
    long watermark = read.getLong(0);
    long evicted = bytes.length == BYTES ? read.getLong(8) : 0;
    long expired = bytes.length == BYTES ? read.getLong(16) : 0;
    if (watermark < 0 || evicted < 0 || expired < 0) {
      return Read.unusable(Status.DAMAGED, "it holds a negative number");
    }
    return new Read(Status.VALID, watermark, evicted, expired, "");
  }

  /** Removes a temporary file a crash may have left behind. */
  void deleteTemporary() throws IOException {
    Files.deleteIfExists(temporary);
  }

  /**
   * Atomically replaces the checkpoint with {@code watermark} and the detached counts, forcing the
   * data first if asked.
   */
  void write(long watermark, long detachedEvicted, long detachedExpired, boolean force) throws IOException {
    buffer.clear();
    buffer.putLong(watermark).putLong(detachedEvicted).putLong(detachedExpired);
    crc.reset();
    crc.update(buffer.array(), 0, CRC_OFFSET);
    buffer.putInt((int) crc.getValue()).flip();
    try (FileChannel channel =
        FileChannel.open(
            temporary,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      if (force) {
        channel.force(false);
      }
    }
    Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Forces the current checkpoint file to the device. */
  void force() throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.force(false);
    }
  }
}
