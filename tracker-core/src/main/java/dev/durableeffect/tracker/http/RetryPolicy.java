package dev.durableeffect.tracker.http;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * Which responses are retried, and how long to wait: exponential backoff (x2) with full jitter,
 * capped; {@code Retry-After} (seconds or HTTP date) honoured up to {@link #MAX_RETRY_AFTER}.
 */
final class RetryPolicy {

  /** The longest a {@code Retry-After} may pause sending. */
  static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(5);

  /** What to do with a batch after one request. */
  enum Verdict {
    SUCCESS,
    RETRY,
    SPLIT,
    REJECT
  }

  private final int maxAttempts;
  private final long initialDelayNanos;
  private final long maxDelayNanos;
  private final Clock clock;

  RetryPolicy(int maxAttempts, Duration initialDelay, Duration maxDelay, Clock clock) {
    this.maxAttempts = maxAttempts;
    this.initialDelayNanos = initialDelay.toNanos();
    this.maxDelayNanos = maxDelay.toNanos();
    this.clock = clock;
  }

  /** Classifies a status; 0 stands for an I/O error or timeout. */
  static Verdict classify(int status) {
    if (status >= 200 && status < 300) {
      return Verdict.SUCCESS;
    }
    if (status == 413) {
      return Verdict.SPLIT;
    }
    return switch (status) {
      case 0, 408, 429, 500, 502, 503, 504 -> Verdict.RETRY;
      default -> Verdict.REJECT;
    };
  }

  /** Whether a batch that has had {@code retriesDone} retries may have another. */
  boolean mayRetry(int retriesDone) {
    return retriesDone < maxAttempts;
  }

  /**
   * The wait before retry number {@code retry} (from 1): the server's {@code Retry-After} when it
   * gave one, else a random delay in [0, min(maxDelay, initialDelay * 2^(retry-1))].
   */
  long delayNanos(int retry, @Nullable String retryAfter) {
    Duration serverDelay = parseRetryAfter(retryAfter);
    if (serverDelay != null) {
      return serverDelay.toNanos();
    }
    long ceiling = initialDelayNanos;
    for (int i = 1; i < retry && ceiling < maxDelayNanos; i++) {
      ceiling = ceiling * 2;
    }
    ceiling = Math.min(ceiling, maxDelayNanos);
    return ThreadLocalRandom.current().nextLong(ceiling + 1);
  }

  /** Seconds or an HTTP date, capped at five minutes; null when absent or unreadable. */
  @Nullable Duration parseRetryAfter(@Nullable String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    String text = value.strip();
    Duration delay;
    try {
      delay = Duration.ofSeconds(Long.parseLong(text));
    } catch (NumberFormatException notSeconds) {
      try {
        Instant at = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        delay = Duration.between(clock.instant(), at);
      } catch (DateTimeParseException notDate) {
        return null;
      }
    }
    if (delay.isNegative()) {
      return Duration.ZERO;
    }
    return delay.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : delay;
  }
}
