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
 * The file {@code checkpoint}: the acknowledged watermark (long) and the CRC32C (int) of it.
 * Replaced atomically: written to {@code checkpoint.tmp}, then moved over the old one.
 */
final class Checkpoint {

  static final String FILE = "checkpoint";
  static final String TEMPORARY = "checkpoint.tmp";
  static final int BYTES = 12;

  /** What was found on disk. */
  enum Status {
    VALID,
    MISSING,
    DAMAGED
  }

  /** The watermark read at open; {@code watermark} is meaningful only when VALID. */
  record Read(Status status, long watermark, String problem) {}

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
      return new Read(Status.MISSING, -1, "it does not exist");
    } catch (IOException unreadable) {
      return new Read(Status.DAMAGED, -1, "it cannot be read at offset 0: " + unreadable);
    }
    if (bytes.length != BYTES) {
      return new Read(Status.DAMAGED, -1, "it has " + bytes.length + " bytes instead of " + BYTES);
    }
    ByteBuffer read = ByteBuffer.wrap(bytes);
    long watermark = read.getLong(0);
    crc.reset();
    crc.update(bytes, 0, 8);
    if (read.getInt(8) != (int) crc.getValue() || watermark < 0) {
      return new Read(Status.DAMAGED, -1, "its CRC at offset 8 does not match");
    }
    return new Read(Status.VALID, watermark, "");
  }

  /** Removes a temporary file a crash may have left behind. */
  void deleteTemporary() throws IOException {
    Files.deleteIfExists(temporary);
  }

  /** Atomically replaces the checkpoint with {@code watermark}, forcing the data first if asked. */
  void write(long watermark, boolean force) throws IOException {
    buffer.clear();
    buffer.putLong(watermark);
    crc.reset();
    crc.update(buffer.array(), 0, 8);
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
