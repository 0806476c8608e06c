package dev.durableeffect.tracker.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Records, a hand-moved clock and a reader of the on-disk format for the spool tests. */
final class SpoolFixtures {

  static final long T0 = Instant.parse("2026-01-05T03:20:00Z").toEpochMilli();

  private SpoolFixtures() {}

  /** A record whose JSON is about {@code jsonBytes} long and names {@code n}. */
  static SpoolRecord record(int n, int jsonBytes) {
    String head =
        "{\"type\":\"step.completed\",\"workflowId\":\"order-" + n + "\",\"eventId\":\"evt-" + n + "\",\"pad\":\"";
    StringBuilder json = new StringBuilder(head);
    while (json.length() < jsonBytes - 2) {
      json.append('x');
    }
    json.append("\"}");
    return SpoolRecord.of(
        "order-" + n,
        String.format("0190a0b1-0000-7000-8000-%012d", n),
        "step.completed",
        json.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** Records {@code from} to {@code from + count - 1}. */
  static List<SpoolRecord> records(int from, int count, int jsonBytes) {
    List<SpoolRecord> records = new ArrayList<>(count);
    for (int i = from; i < from + count; i++) {
      records.add(record(i, jsonBytes));
    }
    return records;
  }

  /** The {@code n} a record was made for, from its workflowId. */
  static int numberOf(SpoolRecord record) {
    return Integer.parseInt(record.workflowId().substring("order-".length()));
  }

  /** Reads everything left, acknowledging nothing. */
  static List<SpoolRecord> readAll(SpoolStore store) throws IOException {
    List<SpoolRecord> all = new ArrayList<>();
    for (List<SpoolRecord> batch = store.read(100, Long.MAX_VALUE); !batch.isEmpty(); batch = store.read(100, Long.MAX_VALUE)) {
      all.addAll(batch);
    }
    return all;
  }

  /** The sequences of {@code records}. */
  static List<Long> sequences(List<SpoolRecord> records) {
    return records.stream().map(SpoolRecord::sequence).toList();
  }

  static List<Long> range(long from, long toExclusive) {
    List<Long> range = new ArrayList<>();
    for (long s = from; s < toExclusive; s++) {
      range.add(s);
    }
    return range;
  }

  /** The segment files of {@code directory}, oldest first. */
  static List<Path> segmentFiles(Path directory) throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files
          .filter(p -> p.getFileName().toString().matches("segment-\\d{20}\\.log"))
          .sorted()
          .toList();
    }
  }

  /** A frame as found by walking a segment file's length fields, independently of the store's reader. */
  record Frame(long offset, int payloadLength, long sequence, long appendedAt) {
    long end() {
      return offset + 28 + payloadLength;
    }
  }

  /** The frames of an intact segment file. */
  static List<Frame> frames(Path segment) throws IOException {
    ByteBuffer file = ByteBuffer.wrap(Files.readAllBytes(segment));
    List<Frame> frames = new ArrayList<>();
    int offset = 20;
    while (offset + 28 <= file.limit()) {
      int length = file.getInt(offset + 4);
      frames.add(new Frame(offset, length, file.getLong(offset + 12), file.getLong(offset + 20)));
      offset += 28 + length;
    }
    return frames;
  }

  /** Inverts the bytes {@code [offset, offset + count)} of {@code file}. */
  static void flip(Path file, long offset, int count) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    for (int i = 0; i < count; i++) {
      bytes[(int) offset + i] ^= (byte) 0xFF;
    }
    Files.write(file, bytes);
  }

  /**
   * Starts {@code main} in a child JVM with this test's class path and {@code directory} as its
   * argument; its stdout is the returned process's input stream, its stderr is discarded.
   */
  static Process startChild(Class<?> main, Path directory) throws IOException {
    return new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            main.getName(),
            directory.toString())
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
  }

  /**
   * In a child JVM: blocks until the parent kills it (or, if the parent dies first, until its
   * stdin closes), without waking.
   */
  static void awaitKill() throws IOException {
    while (System.in.read() >= 0) {
      // the parent writes nothing; end of input means it is gone
    }
  }

  static SpoolConfig config(Path directory, long maxBytes) {
    return SpoolConfig.builder(directory).maxBytes(maxBytes).build();
  }

  /** A clock the test moves by hand. */
  static final class MutableClock extends Clock {

    private volatile long millis;

    MutableClock(long millis) {
      this.millis = millis;
    }

    void advance(Duration duration) {
      millis += duration.toMillis();
    }

    @Override
    public long millis() {
      return millis;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }
}
