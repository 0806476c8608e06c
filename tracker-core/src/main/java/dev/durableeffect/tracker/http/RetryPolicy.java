package dev.durableeffect.tracker.http;

import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * Which responses are retried, and how long to wait: exponential backoff (x2) with full jitter,
 * capped; {@code Retry-After} (seconds or an HTTP date in any of the three formats of RFC 9110)
 * honoured up to {@link #MAX_RETRY_AFTER}. {@code maxAttempts} counts every request of a batch, the
 * first included, as in Spring Retry, Resilience4j and OpenTelemetry.
 */
final class RetryPolicy {

  /** The longest a {@code Retry-After} may pause sending. */
  static final Duration MAX_RETRY_AFTER = Duration.ofMinutes(5);

  /** What to do with a batch after one request. */
  enum Verdict {
    SUCCESS,
    RETRY,
    SPLIT,
    REJECT,
    /** The request could not be made as configured (TLS trust, a header value): retrying cannot help. */
    MISCONFIGURED
  }

  /** IMF-fixdate, RFC 850 (two-digit year) and asctime, in the order RFC 9110 lists them. */
  private static final List<DateTimeFormatter> HTTP_DATES =
      List.of(
          DateTimeFormatter.RFC_1123_DATE_TIME,
          new DateTimeFormatterBuilder()
              .appendPattern("EEEE, dd-MMM-")
              .appendValueReduced(ChronoField.YEAR, 2, 2, 1970)
              .appendPattern(" HH:mm:ss zzz")
              .toFormatter(Locale.US),
          DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US)
              .withZone(java.time.ZoneOffset.UTC));

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

  /** Classifies the answer to one request. */
  static Verdict classify(HttpSender.Response response) {
    return response.permanent() ? Verdict.MISCONFIGURED : classify(response.status());
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

  /** Whether a batch that has had {@code attemptsDone} requests may have another. */
  boolean mayRetry(int attemptsDone) {
    return attemptsDone < maxAttempts;
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
    Duration delay = null;
    if (!text.isEmpty() && text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      // Any run of digits is a delay in seconds; one too large for a long is simply very long.
      delay = text.length() > 18 ? MAX_RETRY_AFTER : Duration.ofSeconds(Long.parseLong(text));
    } else {
      for (DateTimeFormatter format : HTTP_DATES) {
        try {
          delay = Duration.between(clock.instant(), ZonedDateTime.parse(text, format).toInstant());
          break;
        } catch (DateTimeParseException notThisFormat) {
          // try the next one
        }
      }
      if (delay == null) {
        return null;
      }
    }
    if (delay.isNegative()) {
      return Duration.ZERO;
    }
    return delay.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : delay;
  }
}
