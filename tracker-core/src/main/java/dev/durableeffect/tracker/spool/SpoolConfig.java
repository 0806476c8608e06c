package dev.durableeffect.tracker.spool;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how much a disk spool stores.
 *
 * @param directory the spool's own directory; each process needs its own
 * @param maxBytes the most bytes the segment files may hold before the oldest are evicted; at
 *     least 1 MiB
 * @param maxAge how long a record may wait before it is skipped as expired; positive, at most
 *     36,500 days
 * @param syncInterval how often appended data is forced to the device; {@link Duration#ZERO}
 *     forces every append; at most one day
 */
public record SpoolConfig(Path directory, long maxBytes, Duration maxAge, Duration syncInterval) {

  /** The smallest allowed {@code maxBytes}: 1 MiB. */
  public static final long MIN_MAX_BYTES = 1024L * 1024;

  /** The default {@code maxBytes}: 256 MiB. */
  public static final long DEFAULT_MAX_BYTES = 256L * 1024 * 1024;

  /** The default {@code maxAge}: 7 days. */
  public static final Duration DEFAULT_MAX_AGE = Duration.ofDays(7);

  /** The default {@code syncInterval}: 1 second. */
  public static final Duration DEFAULT_SYNC_INTERVAL = Duration.ofSeconds(1);

  private static final Duration MAX_MAX_AGE = Duration.ofDays(36_500);
  private static final Duration MAX_SYNC_INTERVAL = Duration.ofDays(1);
  private static final long MIN_SEGMENT_BYTES = 256L * 1024;
  private static final long MAX_SEGMENT_BYTES = 64L * 1024 * 1024;

  /** Validates every component; the exception names the component and the bad value. */
  public SpoolConfig {
    if (directory == null) {
      throw new IllegalArgumentException("directory must not be null");
    }
    if (maxBytes < MIN_MAX_BYTES) {
      throw new IllegalArgumentException(
          "maxBytes must be at least " + MIN_MAX_BYTES + " (1 MiB), was " + maxBytes);
    }
    if (maxAge == null || maxAge.isNegative() || maxAge.isZero() || maxAge.compareTo(MAX_MAX_AGE) > 0) {
      throw new IllegalArgumentException(
          "maxAge must be positive and at most 36500 days, was " + maxAge);
    }
    if (syncInterval == null
        || syncInterval.isNegative()
        || syncInterval.compareTo(MAX_SYNC_INTERVAL) > 0) {
      throw new IllegalArgumentException(
          "syncInterval must be between PT0S and 1 day (PT24H), was " + syncInterval);
    }
  }

  /** A builder for a spool in {@code directory} with the defaults for everything else. */
  public static Builder builder(Path directory) {
    return new Builder(directory);
  }

  /** The size at which a segment is closed and a new one begun: maxBytes / 8 within 256 KiB..64 MiB. */
  long segmentBytes() {
    return Math.max(MIN_SEGMENT_BYTES, Math.min(MAX_SEGMENT_BYTES, maxBytes / 8));
  }

  /** Builds a {@link SpoolConfig}; validation happens in {@link #build()}. */
  public static final class Builder {

    private final Path directory;
    private long maxBytes = DEFAULT_MAX_BYTES;
    private Duration maxAge = DEFAULT_MAX_AGE;
    private Duration syncInterval = DEFAULT_SYNC_INTERVAL;

    private Builder(Path directory) {
      this.directory = directory;
    }

    /** The most bytes the spool's segments may hold; default 256 MiB, at least 1 MiB. */
    public Builder maxBytes(long maxBytes) {
      this.maxBytes = maxBytes;
      return this;
    }

    /** How long a record may wait before it is skipped as expired; default 7 days. */
    public Builder maxAge(Duration maxAge) {
      this.maxAge = Objects.requireNonNull(maxAge, "maxAge");
      return this;
    }

    /** How often appended data is forced to the device; default 1 s, {@code ZERO} for every append. */
    public Builder syncInterval(Duration syncInterval) {
      this.syncInterval = Objects.requireNonNull(syncInterval, "syncInterval");
      return this;
    }

    /** The validated configuration. */
    public SpoolConfig build() {
      return new SpoolConfig(directory, maxBytes, maxAge, syncInterval);
    }
  }
}
