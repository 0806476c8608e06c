package dev.durableeffect.tracker.spool;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The disk spool's settings. With a spool, the tracker's own thread writes every accepted event to
 * segment files in {@code directory} before sending it, and what is not delivered survives a crash
 * or a restart.
 *
 * @param directory where the segment files live; one process per directory
 * @param maxBytes the most bytes the segment files take; over it the oldest segment is evicted
 * @param maxAge events older than this are dropped as expired instead of sent
 * @param syncInterval how often written data is forced to disk; {@link Duration#ZERO} forces every
 *     write
 */
public record SpoolConfig(Path directory, long maxBytes, Duration maxAge, Duration syncInterval) {

  /** Default {@code maxBytes}: 256 MiB. */
  public static final long DEFAULT_MAX_BYTES = 256L * 1024 * 1024;
  /** Default {@code maxAge}: 7 days. */
  public static final Duration DEFAULT_MAX_AGE = Duration.ofDays(7);
  /** Default {@code syncInterval}: 1 second. */
  public static final Duration DEFAULT_SYNC_INTERVAL = Duration.ofSeconds(1);

  private static final long MIN_BYTES = 1024L * 1024;
  private static final Duration MAX_AGE_LIMIT = Duration.ofDays(36_500);

  /** Validates every setting; the message names the setting and the bad value. */
  public SpoolConfig {
    Objects.requireNonNull(directory, "directory must not be null");
    Objects.requireNonNull(maxAge, "maxAge must not be null");
    Objects.requireNonNull(syncInterval, "syncInterval must not be null");
    if (maxBytes < MIN_BYTES) {
      throw new IllegalArgumentException(
          "maxBytes must be at least " + MIN_BYTES + " (1 MiB), was " + maxBytes);
    }
    if (maxAge.isNegative() || maxAge.isZero() || maxAge.compareTo(MAX_AGE_LIMIT) > 0) {
      throw new IllegalArgumentException(
          "maxAge must be positive and at most 36500 days, was " + maxAge);
    }
    if (syncInterval.isNegative() || syncInterval.compareTo(Duration.ofDays(1)) > 0) {
      throw new IllegalArgumentException(
          "syncInterval must be between 0 and 1 day, was " + syncInterval);
    }
  }

  /** A builder for a spool in {@code directory}, with the defaults. */
  public static Builder builder(Path directory) {
    return new Builder(directory);
  }

  /** Builds a {@link SpoolConfig}. */
  public static final class Builder {
    private final Path directory;
    private long maxBytes = DEFAULT_MAX_BYTES;
    private Duration maxAge = DEFAULT_MAX_AGE;
    private Duration syncInterval = DEFAULT_SYNC_INTERVAL;

    private Builder(Path directory) {
      this.directory = Objects.requireNonNull(directory, "directory must not be null");
    }

    /** The most bytes the segment files take (default 256 MiB, at least 1 MiB). */
    public Builder maxBytes(long maxBytes) {
      this.maxBytes = maxBytes;
      return this;
    }

    /** Events older than this are dropped as expired (default 7 days). */
    public Builder maxAge(Duration maxAge) {
      this.maxAge = maxAge;
      return this;
    }

    /** How often data is forced to disk (default 1 s; {@link Duration#ZERO}: every write). */
    public Builder syncInterval(Duration syncInterval) {
      this.syncInterval = syncInterval;
      return this;
    }

    /** The validated settings. */
    public SpoolConfig build() {
      return new SpoolConfig(directory, maxBytes, maxAge, syncInterval);
    }
  }
}
