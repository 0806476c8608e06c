package dev.durableeffect.tracker.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RetryPolicyTest {

  private static final Instant NOW = Instant.parse("2025-12-05T03:20:00Z");
  private final RetryPolicy policy =
      new RetryPolicy(3, Duration.ofSeconds(1), Duration.ofSeconds(30), Clock.fixed(NOW, ZoneOffset.UTC));

  @ParameterizedTest
  @CsvSource({
    "200,SUCCESS", "202,SUCCESS", "204,SUCCESS", "0,RETRY", "408,RETRY", "429,RETRY", "500,RETRY",
    "502,RETRY", "503,RETRY", "504,RETRY", "413,SPLIT", "400,REJECT", "401,REJECT", "403,REJECT",
    "404,REJECT", "422,REJECT", "501,REJECT", "505,REJECT", "301,REJECT", "199,REJECT", "299,SUCCESS",
    "300,REJECT"
  })
  void classifiesStatuses(int status, RetryPolicy.Verdict verdict) {
    assertThat(RetryPolicy.classify(status)).isEqualTo(verdict);
  }

  @Test
  void maxAttemptsCountsEveryRequestTheFirstIncluded() {
    assertThat(policy.mayRetry(1)).isTrue();
    assertThat(policy.mayRetry(2)).isTrue();
    assertThat(policy.mayRetry(3)).isFalse();
    RetryPolicy once = new RetryPolicy(1, Duration.ofSeconds(1), Duration.ofSeconds(30), Clock.systemUTC());
    assertThat(once.mayRetry(1)).isFalse();
  }

  @Test
  void aMisconfiguredRequestIsNeverRetried() {
    assertThat(RetryPolicy.classify(new HttpSender.Response(0, null, "TLS handshake failed", true)))
        .isEqualTo(RetryPolicy.Verdict.MISCONFIGURED);
    assertThat(RetryPolicy.classify(new HttpSender.Response(0, null, "connection refused", false)))
        .isEqualTo(RetryPolicy.Verdict.RETRY);
  }

  @Test
  void retryAfterTooLargeForALongIsCappedNotIgnored() {
    assertThat(policy.parseRetryAfter("99999999999999999999999")).isEqualTo(Duration.ofMinutes(5));
    assertThat(policy.parseRetryAfter("9223372036854775807")).isEqualTo(Duration.ofMinutes(5));
    assertThat(policy.parseRetryAfter("-5")).isNull();
  }

  @Test
  void retryAfterAcceptsTheObsoleteRfc850AndAsctimeDates() {
    assertThat(policy.parseRetryAfter("Friday, 05-Dec-25 03:20:45 GMT")).isEqualTo(Duration.ofSeconds(45));
    assertThat(policy.parseRetryAfter("Fri Dec  5 03:21:00 2025")).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void backoffDoublesWithFullJitterUpToTheCap() {
    for (int i = 0; i < 1_000; i++) {
      assertThat(policy.delayNanos(1, null)).isBetween(0L, Duration.ofSeconds(1).toNanos());
      assertThat(policy.delayNanos(3, null)).isBetween(0L, Duration.ofSeconds(4).toNanos());
      assertThat(policy.delayNanos(40, null)).isBetween(0L, Duration.ofSeconds(30).toNanos());
    }
    long max = 0;
    for (int i = 0; i < 1_000; i++) {
      max = Math.max(max, policy.delayNanos(3, null));
    }
    assertThat(max).isGreaterThan(Duration.ofSeconds(2).toNanos());
  }

  @Test
  void retryAfterInSecondsOrAsHttpDateIsHonouredAndCapped() {
    assertThat(policy.parseRetryAfter("7")).isEqualTo(Duration.ofSeconds(7));
    assertThat(policy.parseRetryAfter("Fri, 05 Dec 2025 03:20:30 GMT")).isEqualTo(Duration.ofSeconds(30));
    assertThat(policy.parseRetryAfter("Fri, 05 Dec 2025 03:10:00 GMT")).isEqualTo(Duration.ZERO);
    assertThat(policy.parseRetryAfter("86400")).isEqualTo(Duration.ofMinutes(5));
    assertThat(policy.parseRetryAfter("soon")).isNull();
    assertThat(policy.parseRetryAfter(null)).isNull();
    assertThat(policy.delayNanos(1, "2")).isEqualTo(Duration.ofSeconds(2).toNanos());
  }

  @Test
  void theShortestConfigurableBackoffGivesADelayAtEveryRetry() {
    // initialDelay and maxDelay must be positive: one nanosecond is the least a config allows.
    RetryPolicy shortest = new RetryPolicy(5, Duration.ofNanos(1), Duration.ofNanos(1), Clock.systemUTC());
    for (int retry = 1; retry <= 5; retry++) {
      assertThat(shortest.delayNanos(retry, null)).isBetween(0L, 1L);
    }
  }

  @Test
  void retryAfterSecondsWithLeadingZerosAreReadAsTheirValue() {
    assertThat(policy.parseRetryAfter("007")).isEqualTo(Duration.ofSeconds(7));
    // 18 digits: still parsed as a number, not taken as "too large for a long".
    assertThat(policy.parseRetryAfter("000000000000000007")).isEqualTo(Duration.ofSeconds(7));
  }
}
