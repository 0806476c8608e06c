package dev.durableeffect.tracker;

import java.time.Duration;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/** A {@link RateLimitedLog} on a clock the test moves, for tests outside this package. */
public final class HandClockLog {

  private HandClockLog() {}

  /** A log that reports each outcome class at most once per {@code interval} of {@code nanoClock}. */
  public static RateLimitedLog create(Logger logger, Duration interval, LongSupplier nanoClock) {
    return new RateLimitedLog(logger, interval, nanoClock);
  }
}
