package dev.durableeffect.tracker;

import java.time.Duration;

/**
 * How {@link WorkflowRecorder#step(String, StepRetry, java.util.concurrent.Callable)} retries a
 * failing step in process: up to {@code maxAttempts} attempts in all, waiting {@code delay} before
 * the second, multiplied by {@code backoffFactor} before each further one.
 *
 * @param maxAttempts attempts in all, including the first; at least 1
 * @param delay wait before the second attempt; at least 0
 * @param backoffFactor multiplier of the wait for each further attempt; at least 1 (1 = fixed)
 */
public record StepRetry(int maxAttempts, Duration delay, double backoffFactor) {

  /** Validates; the exception names the field and the bad value. */
  public StepRetry {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be >= 1 but was " + maxAttempts);
    }
    if (delay == null || delay.isNegative()) {
      throw new IllegalArgumentException("delay must be >= 0 but was " + delay);
    }
    if (!(backoffFactor >= 1.0)) {
      throw new IllegalArgumentException("backoffFactor must be >= 1 but was " + backoffFactor);
    }
  }

  /** Up to {@code maxAttempts} attempts with a fixed {@code delay} between them. */
  public static StepRetry of(int maxAttempts, Duration delay) {
    return new StepRetry(maxAttempts, delay, 1.0);
  }

  /** The same retry with the delay doubling before each further attempt. */
  public StepRetry exponential() {
    return new StepRetry(maxAttempts, delay, 2.0);
  }

  /** The wait before attempt {@code attempt} (2 or more). */
  public Duration delayBefore(int attempt) {
    double factor = Math.pow(backoffFactor, Math.max(0, attempt - 2));
    return Duration.ofMillis((long) Math.min(Long.MAX_VALUE / 2, delay.toMillis() * factor));
  }
}
