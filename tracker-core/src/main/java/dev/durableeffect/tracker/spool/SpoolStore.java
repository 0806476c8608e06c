package dev.durableeffect.tracker.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The disk spool's storage: event records appended to segment files, read back in order, and
 * deleted once acknowledged, with the acknowledged watermark kept in a checkpoint file.
 *
 * <p>Internal to the tracker: used by its sender thread only, except the metric getters ({@link
 * #bytes()}, {@link #segments()}, {@link #oldestAppendedAtMillis()}, {@link #directory()}), which
 * any thread may call.
 *
 * <p>Opening never fails because of damaged files: damaged frames are skipped and counted by the
 * gaps they leave in the consecutive sequence numbers, segments with unreadable headers are moved
 * aside to {@code <name>.damaged}, and a tail cut short by a crash is truncated. Every record is
 * accounted for: it is returned by {@link #read}, or counted by {@link #drainCorrupt()}, {@link
 * #drainExpired()}, {@link #drainEvicted()} or {@link Recovery#corrupt()}, or still {@link
 * #unacknowledged()}.
 *
 * <p>A segment may be deleted (evicted over maxBytes, or expired) while records read from it are
 * not acknowledged yet. Those records are then detached: the watermark moves past the segment, and
 * the checkpoint keeps how many detached records are still unacknowledged. They are not counted
 * by {@link #drainEvicted()} (the caller holds them and counts their outcome); those still
 * unacknowledged when the store closes or the process dies cannot be read again, and the next
 * {@link #open} reports them once, in {@link Recovery#evicted()} and {@link Recovery#expired()}.
 */
public final class SpoolStore implements AutoCloseable {

  private static final Logger LOGGER = LoggerFactory.getLogger(SpoolStore.class);

  private static final String LOCK_FILE = "lock";
  private static final int WRITE_BUFFER_BYTES = 256 * 1024;
  private static final int READ_WINDOW_BYTES = 128 * 1024;
  /** A batch larger than this is written in several calls, so the write buffer stays small. */
  private static final int MAX_WRITE_BYTES = 4 * 1024 * 1024;

  /**
   * What {@link #open} found on disk.
   *
   * @param records intact records at or above the checkpoint: delivered again by {@link #read}
   * @param corrupt records lost to damage, counted by the gaps between surviving sequence numbers
   *     at or above the checkpoint; not reported again by {@link #drainCorrupt()}
   * @param expired records read by the previous process and never acknowledged, whose segment it
   *     deleted as older than maxAge: gone from disk. Records on disk already past maxAge are not
   *     counted here but in {@code records}, and reported by {@link #drainExpired()} when {@link
   *     #read} skips them
   * @param evicted records read by the previous process and never acknowledged, whose segment it
   *     evicted over maxBytes: gone from disk. The records it evicted unread were counted by its
   *     {@link #drainEvicted()} and are not counted again
   */
  public record Recovery(long records, long corrupt, long expired, long evicted) {}

  private final Path directory;
  private final long maxSpoolBytes;
  private final long maxAgeMillis;
  private final long syncIntervalNanos;
  private final long segmentBytes;
  private final Clock clock;
  private final ChannelOpener opener;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final Checkpoint checkpoint;
  private final FrameEncoder encoder = new FrameEncoder(WRITE_BUFFER_BYTES);
  private final FrameReader reader = new FrameReader(READ_WINDOW_BYTES);
  private final Outstanding outstanding = new Outstanding();
  /** Read, not acknowledged, and their segment evicted: no longer on disk. */
  private final Outstanding detachedEvicted = new Outstanding();
  /** Read, not acknowledged, and their segment deleted as expired: no longer on disk. */
  private final Outstanding detachedExpired = new Outstanding();
  private final LostSequences lost = new LostSequences();
  /** Oldest first; the last is always the segment being written. */
  private final List<Segment> segments = new ArrayList<>();

  private Segment active;
  private Segment readerSegment;
  /** Where the reader starts in {@code readerSegment} once it opens it, or -1 when attached. */
  private long readerPendingOffset = -1;
  /** Every sequence below it was returned by {@link #read}, skipped or evicted. */
  private long readSequence;
  private long nextSequence;
  /** Records at or above {@code readSequence} believed intact. */
  private long unread;
  private long persistedWatermark = -1;
  private long persistedEvicted;
  private long persistedExpired;
  private boolean checkpointUnsynced;
  private boolean dataUnsynced;
  private long lastSyncNanos;
  private long corrupt;
  private long expired;
  private long evicted;
  private Recovery recovery = new Recovery(0, 0, 0, 0);
  /** Set once open has recovered; until then close must not write a checkpoint. */
  private boolean recovered;
  private boolean closed;

  private volatile long bytes;
  private volatile int segmentCount;
  private volatile long oldestAppendedAt = -1;

  private SpoolStore(
      SpoolConfig config, Clock clock, ChannelOpener opener, Path directory, FileChannel lockChannel, FileLock lock) {
    this.directory = directory;
    this.maxSpoolBytes = config.maxBytes();
    this.maxAgeMillis = config.maxAge().toMillis();
    this.syncIntervalNanos = config.syncInterval().toNanos();
    this.segmentBytes = config.segmentBytes();
    this.clock = clock;
    this.opener = opener;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.checkpoint = new Checkpoint(directory);
    // Both replaced by recover() before any use.
    this.active = new Segment(directory.resolve(Segment.fileName(0)), 0, Segment.HEADER_BYTES);
    this.readerSegment = active;
  }

  /**
   * Opens the spool in {@code config.directory()}, creating the directory if needed, locking it and
   * recovering what is on disk.
   *
   * @throws SpoolLockedException if another process or another store in this JVM holds the
   *     directory
   * @throws IOException if the directory cannot be created or written; never for damaged data
   */
  public static SpoolStore open(SpoolConfig config, Clock clock) throws IOException {
    return open(config, clock, ChannelOpener.DEFAULT);
  }

  static SpoolStore open(SpoolConfig config, Clock clock, ChannelOpener opener) throws IOException {
    Path directory = config.directory().toAbsolutePath().normalize();
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new IOException("durable-tracker: cannot create the spool directory " + directory + ": " + e, e);
    }
    FileChannel lockChannel;
    try {
      lockChannel =
          FileChannel.open(directory.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new IOException("durable-tracker: the spool directory " + directory + " is not writable: " + e, e);
    }
    FileLock lock;
    try {
      lock = lockChannel.tryLock();
    } catch (OverlappingFileLockException heldInThisJvm) {
      lock = null;
    } catch (IOException e) {
      closeQuietly(lockChannel);
      throw new IOException("durable-tracker: cannot lock the spool directory " + directory + ": " + e, e);
    }
    if (lock == null) {
      closeQuietly(lockChannel);
      throw new SpoolLockedException(directory);
    }
    SpoolStore store = new SpoolStore(config, clock, opener, directory, lockChannel, lock);
    try {
      store.recover();
      return store;
    } catch (IOException e) {
      store.close();
      throw new IOException("durable-tracker: the spool directory " + directory + " is not usable: " + e, e);
    } catch (RuntimeException | Error e) {
      store.close();
      throw e;
    }
  }

  /** What was found on disk at open. */
  public Recovery recovery() {
    return recovery;
  }

  /**
   * Appends {@code records} with consecutive sequence numbers and the current time, forcing them to
   * the device when the sync interval has passed, then evicts the oldest segments while the spool
   * is over its {@code maxBytes}. The records' own sequence and time are ignored.
   *
   * <p>All or nothing: on an {@link IOException} (a full disk) the files are cut back to where they
   * were, the store stays usable and the exception is rethrown.
   *
   * @throws IllegalArgumentException if a string of a record is longer than 65,535 UTF-8 bytes;
   *     nothing is appended then
   */
  public void append(List<SpoolRecord> records) throws IOException {
    ensureOpen();
    if (records.isEmpty()) {
      return;
    }
    for (SpoolRecord record : records) {
      FrameEncoder.validate(record);
    }
    long now = clock.millis();
    Segment startSegment = active;
    long startSize = startSegment.size;
    long startLast = startSegment.lastSequence;
    long startNewest = startSegment.newestAppendedAt;
    int startSegments = segments.size();
    long sequence = nextSequence;
    boolean synced = false;
    try {
      encoder.clear();
      for (SpoolRecord record : records) {
        int frameStart = encoder.position();
        encoder.encode(sequence, now, record);
        if (active.size + encoder.position() > segmentBytes
            && active.size + frameStart > Segment.HEADER_BYTES) {
          write(frameStart, sequence - 1, now);
          roll(sequence);
          encoder.compactFrom(frameStart);
        } else if (encoder.position() >= MAX_WRITE_BYTES) {
          write(encoder.position(), sequence, now);
          encoder.clear();
        }
        sequence++;
      }
      write(encoder.position(), sequence - 1, now);
      dataUnsynced = true;
      if (syncDue()) {
        channelOf(active).force(false);
        dataUnsynced = false;
        synced = true;
      }
    } catch (IOException | RuntimeException e) {
      rollBack(startSegment, startSize, startLast, startNewest, startSegments);
      throw e;
    }
    nextSequence = sequence;
    unread += records.size();
    if (oldestAppendedAt < 0) {
      oldestAppendedAt = now;
    }
    if (synced) {
      forceCheckpoint();
    }
    updateMetrics();
    boolean rolled = segments.size() > startSegments;
    evictOverflow();
    if (rolled) {
      deleteResolvedSegments();
    }
  }

  /** The sequence the next appended record will get. */
  public long nextSequence() {
    return nextSequence;
  }

  /**
   * The next records after the read position, in sequence order: at most {@code maxRecords}, and
   * stopping before their JSON, with one separator byte between records (as in a batch body), would
   * exceed {@code maxBytes} in total, but at least one if any is left. Damaged records and records
   * older than maxAge are skipped and counted ({@link #drainCorrupt()}, {@link #drainExpired()}). Empty when caught up with the writer. Every record
   * returned must later be {@link #acknowledge acknowledged}.
   */
  public List<SpoolRecord> read(int maxRecords, long maxBytes) throws IOException {
    ensureOpen();
    if (maxRecords < 1) {
      throw new IllegalArgumentException("maxRecords must be at least 1, was " + maxRecords);
    }
    if (maxBytes < 1) {
      throw new IllegalArgumentException("maxBytes must be at least 1, was " + maxBytes);
    }
    long cutoff = clock.millis() - maxAgeMillis;
    long watermarkBefore = watermark();
    List<SpoolRecord> records = new ArrayList<>(Math.min(maxRecords, 256));
    long jsonBytes = 0;
    while (records.size() < maxRecords && positionAtNextFrame()) {
      long sequence = reader.sequence();
      if (sequence < readSequence) {
        reader.skip(); // a duplicate of a record already passed
        continue;
      }
      if (sequence > readSequence) {
        long lostNow = sequence - readSequence - lost.takeBelow(readSequence, sequence);
        if (lostNow > 0) {
          corrupt += lostNow;
          unread -= lostNow;
          LOGGER.warn(
              "durable-tracker: spool segment {} is damaged before byte offset {}; {} records lost",
              readerSegment.path,
              reader.frameOffset(),
              lostNow);
        }
        readSequence = sequence;
      }
      if (reader.appendedAt() < cutoff) {
        expired++;
        unread--;
        readSequence = sequence + 1;
        reader.skip();
        continue;
      }
      // The record's JSON, and the comma before it in the body unless it comes first.
      int json = reader.jsonLength() + (records.isEmpty() ? 0 : 1);
      if (!records.isEmpty() && jsonBytes + json > maxBytes) {
        break;
      }
      SpoolRecord record = reader.record();
      records.add(record);
      jsonBytes += json;
      outstanding.add(sequence, record.appendedAtMillis());
      unread--;
      readSequence = sequence + 1;
      reader.skip();
    }
    if (watermark() != watermarkBefore) {
      watermarkMoved();
    } else {
      refreshOldest();
    }
    return records;
  }

  /**
   * Marks the records with sequences {@code firstSequence} to {@code firstSequence + count - 1}, as
   * returned by {@link #read}, as resolved (delivered or dropped). Sequences in the range that are
   * not outstanding (skipped, or acknowledged before) are ignored; acknowledgements may come in any
   * order, also for records whose segment was deleted since they were read. When the watermark (the
   * lowest sequence read but not acknowledged, or the read position) or the number of such detached
   * records changes, it is written to the checkpoint and segments wholly below the watermark are
   * deleted.
   */
  public void acknowledge(long firstSequence, int count) {
    ensureOpen();
    if (count < 0) {
      throw new IllegalArgumentException("count must not be negative, was " + count);
    }
    long watermarkBefore = watermark();
    long to = firstSequence + count;
    long removed =
        outstanding.remove(firstSequence, to)
            + detachedEvicted.remove(firstSequence, to)
            + detachedExpired.remove(firstSequence, to);
    if (removed == 0) {
      return;
    }
    if (watermark() != watermarkBefore) {
      watermarkMoved();
    } else {
      persistCheckpoint(); // a detached record may have been acknowledged
      deleteResolvedSegments(); // a fully read segment may have expired
    }
  }

  /** Forces appended data and the checkpoint to the device now. */
  public void sync() throws IOException {
    ensureOpen();
    if (checkpointStale()) {
      writeCheckpoint(true);
      checkpointUnsynced = false;
    }
    channelOf(active).force(false);
    dataUnsynced = false;
    if (checkpointUnsynced) {
      checkpoint.force();
      checkpointUnsynced = false;
    }
    lastSyncNanos = System.nanoTime();
  }

  /** Records skipped as damaged by {@link #read} since the last call (damage found at open excluded). */
  public long drainCorrupt() {
    long drained = corrupt;
    corrupt = 0;
    return drained;
  }

  /** Records skipped by {@link #read} as older than maxAge since the last call. */
  public long drainExpired() {
    long drained = expired;
    expired = 0;
    return drained;
  }

  /** Records removed unread by eviction (the spool was over maxBytes) since the last call. */
  public long drainEvicted() {
    long drained = evicted;
    evicted = 0;
    return drained;
  }

  /**
   * Records neither acknowledged, evicted unread nor skipped: read but not acknowledged (also those
   * whose segment was deleted since), plus not yet read. Those still on disk stay pending when the
   * tracker closes; the detached ones are reported by the next {@link #recovery()}.
   */
  public long unacknowledged() {
    return outstanding.count() + detachedEvicted.count() + detachedExpired.count() + unread;
  }

  /** The total size of the segment files, in bytes. Any thread. */
  public long bytes() {
    return bytes;
  }

  /** How many segment files the spool has. Any thread. */
  public int segments() {
    return segmentCount;
  }

  /** The appendedAtMillis of the oldest unacknowledged record, or -1 when there is none. Any thread. */
  public long oldestAppendedAtMillis() {
    return oldestAppendedAt;
  }

  /** The spool's absolute directory. Any thread. */
  public Path directory() {
    return directory;
  }

  /**
   * Writes the checkpoint, forces the data, closes the files and releases the directory. Idempotent;
   * never throws: problems are logged.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (recovered) {
      persistCheckpointAtClose();
    }
    FileChannel activeChannel = active.channel;
    if (activeChannel != null && dataUnsynced) {
      try {
        activeChannel.force(false);
      } catch (IOException | RuntimeException e) {
        LOGGER.warn("durable-tracker: could not force spool segment {}: {}", active.path, e.toString());
      }
    }
    reader.detach();
    for (Segment segment : segments) {
      closeChannel(segment);
    }
    try {
      lock.release();
    } catch (IOException | RuntimeException e) {
      LOGGER.warn("durable-tracker: could not release the lock of spool directory {}: {}", directory, e.toString());
    }
    closeQuietly(lockChannel);
  }

  private void persistCheckpointAtClose() {
    try {
      if (checkpointStale()) {
        writeCheckpoint(true);
      } else if (checkpointUnsynced) {
        checkpoint.force();
      }
    } catch (IOException | RuntimeException e) {
      LOGGER.warn("durable-tracker: could not write the spool checkpoint in {}: {}", directory, e.toString());
    }
  }

  // ---- recovery

  private void recover() throws IOException {
    checkpoint.deleteTemporary();
    Checkpoint.Read read = checkpoint.read();
    TreeMap<Long, Path> files = segmentFiles();
    if (read.status() != Checkpoint.Status.VALID && !files.isEmpty()) {
      LOGGER.warn(
          "durable-tracker: spool checkpoint {} is unusable ({}); reading again from the oldest segment's first"
              + " record: records may be delivered twice, none are lost",
          checkpoint.file(),
          read.problem());
    }
    long floor =
        read.status() == Checkpoint.Status.VALID ? read.watermark() : files.isEmpty() ? 0 : files.firstKey();
    long expected = floor;
    long records = 0;
    long lostCount = 0;
    Segment start = null;
    long startOffset = -1;
    long oldest = -1;
    boolean lastIsGood = false;
    int index = 0;
    for (Map.Entry<Long, Path> file : files.entrySet()) {
      boolean last = ++index == files.size();
      SegmentScan scan = scan(file.getValue(), file.getKey(), floor, expected, last);
      if (scan == null) {
        if (file.getKey() > expected) {
          lost.add(expected, file.getKey());
          lostCount += file.getKey() - expected;
          expected = file.getKey();
        }
        lastIsGood = false;
        continue;
      }
      for (long[] range : scan.lost) {
        lost.add(range[0], range[1]);
        lostCount += range[1] - range[0];
      }
      records += scan.records;
      expected = scan.expected;
      segments.add(scan.segment);
      if (start == null && scan.firstOffset >= 0) {
        start = scan.segment;
        startOffset = scan.firstOffset;
        oldest = scan.firstAppendedAt;
      }
      lastIsGood = last;
    }
    if (lastIsGood) {
      active = segments.get(segments.size() - 1);
    } else {
      active = createSegment(expected);
      segments.add(active);
    }
    nextSequence = expected;
    readSequence = floor;
    if (start == null) {
      placeReader(active, active.size);
    } else {
      placeReader(start, startOffset);
    }
    unread = records;
    oldestAppendedAt = oldest;
    boolean valid = read.status() == Checkpoint.Status.VALID;
    recovery =
        new Recovery(records, lostCount, valid ? read.detachedExpired() : 0, valid ? read.detachedEvicted() : 0);
    persistedWatermark = valid ? read.watermark() : -1;
    persistedEvicted = valid ? read.detachedEvicted() : 0;
    persistedExpired = valid ? read.detachedExpired() : 0;
    lastSyncNanos = System.nanoTime();
    updateMetrics();
    if (records > 0 || lostCount > 0) {
      LOGGER.info(
          "durable-tracker: spool {} holds {} undelivered records from before; {} were lost to damage",
          directory,
          records,
          lostCount);
    }
    if (recovery.evicted() > 0 || recovery.expired() > 0) {
      LOGGER.info(
          "durable-tracker: spool {}: {} records being sent when their segment was evicted, and {} when it"
              + " expired, were not acknowledged before the previous run ended; they are gone",
          directory,
          recovery.evicted(),
          recovery.expired());
    }
    if (checkpointStale()) {
      writeCheckpoint(true); // reported now: the detached counts start again from 0
    }
    deleteResolvedSegments();
    recovered = true;
  }

  /** The segment files by the first sequence their names state; other files are ignored. */
  private TreeMap<Long, Path> segmentFiles() throws IOException {
    TreeMap<Long, Path> files = new TreeMap<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory, "segment-*.log")) {
      for (Path path : stream) {
        long first = Segment.firstSequenceOf(path.getFileName().toString());
        if (first >= 0 && Files.isRegularFile(path)) {
          files.put(first, path);
        }
      }
    }
    return files;
  }

  /** What one segment holds at or above the checkpoint, or nothing when it had to be moved aside. */
  private static final class SegmentScan {
    final Segment segment;
    long expected;
    long records;
    final List<long[]> lost = new ArrayList<>();
    long firstOffset = -1;
    long firstAppendedAt = -1;

    SegmentScan(Segment segment, long expected) {
      this.segment = segment;
      this.expected = expected;
    }

    void lose(long from, long to) {
      lost.add(new long[] {from, to});
    }
  }

  private @Nullable SegmentScan scan(Path path, long nameFirst, long floor, long expected, boolean last) {
    FileChannel channel = null;
    try {
      channel =
          last
              ? opener.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)
              : opener.open(path, StandardOpenOption.READ);
      long fileSize = channel.size();
      long first;
      try {
        first = Segment.readHeader(channel);
      } catch (Segment.DamagedHeaderException e) {
        closeQuietly(channel);
        moveAside(path, "its header at byte offset 0 is damaged: " + e.getMessage());
        return null;
      }
      if (first != nameFirst) {
        closeQuietly(channel);
        moveAside(path, "its header at byte offset 0 states first sequence " + first + ", not the one of its name");
        return null;
      }
      Segment segment = new Segment(path, first, fileSize);
      SegmentScan scan = new SegmentScan(segment, expected);
      if (first > scan.expected) {
        scan.lose(scan.expected, first);
        scan.expected = first;
      }
      boolean duplicateLogged = false;
      reader.reset(channel, Segment.HEADER_BYTES, fileSize);
      while (reader.next()) {
        if (reader.damageFrom() >= 0) {
          LOGGER.warn(
              "durable-tracker: spool segment {} is damaged from byte offset {} to {}; skipped to the next intact"
                  + " record",
              path,
              reader.damageFrom(),
              reader.frameOffset());
        }
        long sequence = reader.sequence();
        if (sequence >= scan.expected) {
          if (sequence > scan.expected) {
            scan.lose(scan.expected, sequence);
          }
          scan.records++;
          scan.expected = sequence + 1;
          if (scan.firstOffset < 0) {
            scan.firstOffset = reader.frameOffset();
            scan.firstAppendedAt = reader.appendedAt();
          }
        } else if (sequence >= floor && !duplicateLogged) {
          duplicateLogged = true;
          LOGGER.warn(
              "durable-tracker: spool segment {} repeats sequence {} at byte offset {}; the repeat is ignored",
              path,
              sequence,
              reader.frameOffset());
        }
        segment.lastSequence = Math.max(segment.lastSequence, sequence);
        segment.newestAppendedAt = Math.max(segment.newestAppendedAt, reader.appendedAt());
        reader.skip();
      }
      long goodEnd = reader.position();
      if (goodEnd < fileSize) {
        if (last) {
          channel.truncate(goodEnd);
          segment.size = goodEnd;
          LOGGER.warn(
              "durable-tracker: spool segment {} ends mid-record from byte offset {} ({} bytes of a write cut"
                  + " short); truncated there",
              path,
              goodEnd,
              fileSize - goodEnd);
        } else {
          LOGGER.warn(
              "durable-tracker: spool segment {} is damaged from byte offset {} to its end ({} bytes)",
              path,
              goodEnd,
              fileSize - goodEnd);
        }
      }
      reader.detach();
      if (last) {
        segment.channel = channel;
      } else {
        channel.close();
      }
      return scan;
    } catch (IOException | RuntimeException e) {
      reader.detach();
      if (channel != null) {
        closeQuietly(channel);
      }
      moveAside(path, "it cannot be read: " + e);
      return null;
    }
  }

  private void moveAside(Path path, String reason) {
    Path target = path.resolveSibling(path.getFileName() + ".damaged");
    for (int n = 1; Files.exists(target); n++) {
      target = path.resolveSibling(path.getFileName() + ".damaged." + n);
    }
    try {
      Files.move(path, target);
      LOGGER.warn("durable-tracker: spool segment {} is unusable: {}; moved aside to {}", path, reason, target.getFileName());
    } catch (IOException e) {
      LOGGER.warn("durable-tracker: spool segment {} is unusable: {}; could not move it aside ({}), ignored", path, reason, e.toString());
    }
  }

  // ---- writing

  /** Writes the encoded bytes {@code [0, end)} at the end of the segment being written. */
  private void write(int end, long lastSequence, long appendedAt) throws IOException {
    if (end == 0) {
      return;
    }
    int encoded = encoder.position();
    FileChannel channel = channelOf(active);
    long position = active.size;
    try {
      ByteBuffer bytes = encoder.slice(end);
      while (bytes.hasRemaining()) {
        position += channel.write(bytes, position);
      }
    } finally {
      encoder.restore(encoded);
    }
    active.size = position;
    active.lastSequence = lastSequence;
    active.newestAppendedAt = Math.max(active.newestAppendedAt, appendedAt);
  }

  /** Seals the segment being written (forcing it) and starts a new one at {@code firstSequence}. */
  private void roll(long firstSequence) throws IOException {
    Segment sealed = active;
    channelOf(sealed).force(false);
    Segment next = createSegment(firstSequence);
    segments.add(next);
    active = next;
    if (readerSegment != sealed) {
      closeChannel(sealed);
    }
  }

  private Segment createSegment(long firstSequence) throws IOException {
    Path path = directory.resolve(Segment.fileName(firstSequence));
    FileChannel channel =
        opener.open(
            path,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.READ,
            StandardOpenOption.WRITE);
    try {
      ByteBuffer header = Segment.header(firstSequence);
      while (header.hasRemaining()) {
        channel.write(header, header.position());
      }
    } catch (IOException | RuntimeException e) {
      closeQuietly(channel);
      Files.deleteIfExists(path);
      throw e;
    }
    Segment segment = new Segment(path, firstSequence, Segment.HEADER_BYTES);
    segment.channel = channel;
    return segment;
  }

  /** Undoes a failed append: drops the segments it created and cuts the first one back. */
  private void rollBack(Segment start, long size, long lastSequence, long newest, int segmentCount) {
    while (segments.size() > segmentCount) {
      Segment created = segments.remove(segments.size() - 1);
      closeChannel(created);
      try {
        Files.deleteIfExists(created.path);
      } catch (IOException e) {
        LOGGER.warn("durable-tracker: could not delete spool segment {} after a failed append: {}", created.path, e.toString());
      }
    }
    active = start;
    start.size = size;
    start.lastSequence = lastSequence;
    start.newestAppendedAt = newest;
    try {
      FileChannel channel = start.channel;
      if (channel == null) {
        channel = opener.open(start.path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        start.channel = channel;
      }
      channel.truncate(size);
    } catch (IOException | RuntimeException e) {
      LOGGER.warn(
          "durable-tracker: could not cut spool segment {} back to {} bytes after a failed append: {}",
          start.path,
          size,
          e.toString());
    }
    updateMetrics();
  }

  /** Deletes the oldest segments while the spool is over maxBytes; never throws. */
  private void evictOverflow() {
    if (bytes <= maxSpoolBytes) {
      return;
    }
    long watermarkBefore = watermark();
    try {
      while (bytes > maxSpoolBytes) {
        if (segments.size() == 1) {
          if (!active.hasRecords()) {
            return;
          }
          roll(nextSequence);
        }
        evict(segments.get(0));
      }
    } catch (IOException | RuntimeException e) {
      LOGGER.warn("durable-tracker: could not evict from spool {} over its {} bytes: {}", directory, maxSpoolBytes, e.toString());
    } finally {
      if (watermark() != watermarkBefore) {
        watermarkMoved();
      } else {
        refreshOldest();
      }
    }
  }

  /**
   * Deletes the oldest segment, counting its unread records as evicted and detaching its records
   * read and not acknowledged; the checkpoint is written first, so that a restart does not take
   * the missing file for damage.
   */
  private void evict(Segment oldest) throws IOException {
    Segment following = segments.get(1);
    long next = following.firstSequence;
    if (readSequence < next) {
      long from = Math.max(readSequence, oldest.firstSequence);
      long unreadHere = 0;
      if (oldest.lastSequence >= from) {
        unreadHere = oldest.lastSequence + 1 - from - lost.takeBelow(from, oldest.lastSequence + 1);
      }
      lost.takeBelow(from, next);
      evicted += unreadHere;
      unread -= unreadHere;
      readSequence = next;
    }
    outstanding.moveBelow(next, detachedEvicted);
    if (readerSegment == oldest) {
      placeReader(following, Segment.HEADER_BYTES);
    }
    persistCheckpoint();
    removeSegment(oldest);
  }

  // ---- reading and acknowledging

  /** The lowest sequence read but not acknowledged, or the read position when none is. */
  private long watermark() {
    return outstanding.isEmpty() ? readSequence : outstanding.lowest();
  }

  /** Persists a moved watermark, deletes what it resolved and refreshes the oldest time. */
  private void watermarkMoved() {
    persistCheckpoint();
    deleteResolvedSegments();
    refreshOldest();
  }

  /** Whether the checkpoint on disk states another watermark or other detached counts than now. */
  private boolean checkpointStale() {
    return watermark() != persistedWatermark
        || detachedEvicted.count() != persistedEvicted
        || detachedExpired.count() != persistedExpired;
  }

  /** Replaces the checkpoint with the watermark and detached counts now. */
  private void writeCheckpoint(boolean force) throws IOException {
    long watermark = watermark();
    long evictedNow = detachedEvicted.count();
    long expiredNow = detachedExpired.count();
    checkpoint.write(watermark, evictedNow, expiredNow, force);
    persistedWatermark = watermark;
    persistedEvicted = evictedNow;
    persistedExpired = expiredNow;
  }

  /** Writes the checkpoint if it is stale, forcing it and the data when a sync is due; never throws. */
  private void persistCheckpoint() {
    if (!checkpointStale()) {
      return;
    }
    try {
      boolean force = syncDue();
      writeCheckpoint(force);
      checkpointUnsynced = !force;
      if (force) {
        if (dataUnsynced) {
          channelOf(active).force(false);
          dataUnsynced = false;
        }
        lastSyncNanos = System.nanoTime();
      }
    } catch (IOException | RuntimeException e) {
      LOGGER.warn("durable-tracker: could not write the spool checkpoint in {}: {}", directory, e.toString());
    }
  }

  /**
   * Deletes the oldest segments, except the one being written, that the reader has passed and whose
   * records are all below the watermark or all older than maxAge. Records of an expired segment read
   * and not acknowledged are detached, and the checkpoint written, before its file goes.
   */
  private void deleteResolvedSegments() {
    long cutoff = clock.millis() - maxAgeMillis;
    boolean detached = false;
    while (segments.size() > 1) {
      Segment oldest = segments.get(0);
      Segment following = segments.get(1);
      boolean passed = readerSegment != oldest || readSequence >= following.firstSequence;
      boolean resolved = following.firstSequence <= watermark() || oldest.newestAppendedAt < cutoff;
      if (!passed || !resolved) {
        break;
      }
      detached |= outstanding.moveBelow(following.firstSequence, detachedExpired) > 0;
      if (readerSegment == oldest) {
        placeReader(following, Segment.HEADER_BYTES);
      }
      persistCheckpoint();
      removeSegment(oldest);
    }
    if (detached) {
      refreshOldest();
    }
  }

  private void removeSegment(Segment segment) {
    segments.remove(segment);
    closeChannel(segment);
    try {
      Files.deleteIfExists(segment.path);
    } catch (IOException e) {
      LOGGER.warn("durable-tracker: could not delete spool segment {}: {}", segment.path, e.toString());
    }
    updateMetrics();
  }

  /** Moves the reader to {@code offset} in {@code segment}; it opens the file when it next reads. */
  private void placeReader(Segment segment, long offset) {
    if (readerSegment != segment && readerSegment != active) {
      closeChannel(readerSegment);
    }
    reader.detach();
    readerSegment = segment;
    readerPendingOffset = offset;
  }

  /**
   * Positions the reader on the next intact frame, moving on to later segments as each ends;
   * false when it has caught up with the writer. A sealed segment that cannot be read is skipped.
   */
  private boolean positionAtNextFrame() throws IOException {
    while (true) {
      try {
        if (readerPendingOffset >= 0) {
          reader.reset(channelOf(readerSegment), readerPendingOffset, readerSegment.size);
          readerPendingOffset = -1;
        }
        reader.limit(readerSegment.size);
        if (reader.next()) {
          return true;
        }
      } catch (IOException e) {
        if (readerSegment == active) {
          throw e;
        }
        LOGGER.warn(
            "durable-tracker: spool segment {} cannot be read from byte offset {}: {}; going on with the next"
                + " segment",
            readerSegment.path,
            reader.position(),
            e.toString());
      }
      if (readerSegment == active) {
        return false;
      }
      placeReader(segments.get(segments.indexOf(readerSegment) + 1), Segment.HEADER_BYTES);
    }
  }

  /** Recomputes {@link #oldestAppendedAtMillis()}; peeks at the next unread frame if nothing is outstanding. */
  private void refreshOldest() {
    if (!outstanding.isEmpty()) {
      oldestAppendedAt = outstanding.lowestAppendedAt();
    } else if (unread <= 0) {
      oldestAppendedAt = -1;
    } else {
      try {
        oldestAppendedAt = positionAtNextFrame() ? reader.appendedAt() : -1;
      } catch (IOException e) {
        LOGGER.debug("durable-tracker: could not peek at the next spool record", e);
      }
    }
  }

  // ---- helpers

  private boolean syncDue() {
    return syncIntervalNanos == 0 || System.nanoTime() - lastSyncNanos >= syncIntervalNanos;
  }

  private void forceCheckpoint() {
    if (checkpointUnsynced) {
      try {
        checkpoint.force();
        checkpointUnsynced = false;
      } catch (IOException e) {
        LOGGER.warn("durable-tracker: could not force the spool checkpoint in {}: {}", directory, e.toString());
      }
    }
    lastSyncNanos = System.nanoTime();
  }

  private void updateMetrics() {
    long total = 0;
    for (Segment segment : segments) {
      total += segment.size;
    }
    bytes = total;
    segmentCount = segments.size();
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("durable-tracker: the spool store in " + directory + " is closed");
    }
  }

  /** The segment's channel, opened for reading if it is not open yet. */
  private FileChannel channelOf(Segment segment) throws IOException {
    FileChannel channel = segment.channel;
    if (channel == null) {
      channel =
          segment == active
              ? opener.open(segment.path, StandardOpenOption.READ, StandardOpenOption.WRITE)
              : opener.open(segment.path, StandardOpenOption.READ);
      segment.channel = channel;
    }
    return channel;
  }

  private void closeChannel(Segment segment) {
    FileChannel channel = segment.channel;
    if (channel != null) {
      if (reader.reads(channel)) {
        reader.detach();
        readerPendingOffset = readerSegment == segment ? reader.position() : readerPendingOffset;
      }
      segment.channel = null;
      closeQuietly(channel);
    }
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      LOGGER.warn("durable-tracker: could not close a spool file: {}", e.toString());
    }
  }
}
