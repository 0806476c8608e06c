package dev.durableeffect.tracker;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;

/**
 * Logs at most one line per outcome class per interval: the first occurrence at once, later ones
 * folded into a count reported with the next line. For tracker implementations; messages must
 * never contain header values or event payloads.
 */
public final class RateLimitedLog {

  /** How the line is logged. */
  public enum Level {
    INFO,
    WARN,
    ERROR
  }

  private final Logger logger;
  private final long intervalNanos;
  private final LongSupplier nanoClock;
  private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

  /** A log that reports each outcome class at most once per {@code interval}. */
  public RateLimitedLog(Logger logger, Duration interval) {
    this(logger, interval, System::nanoTime);
  }

  RateLimitedLog(Logger logger, Duration interval, LongSupplier nanoClock) {
    this.logger = logger;
    this.intervalNanos = interval.toNanos();
    this.nanoClock = nanoClock;
  }

  /**
   * Records one occurrence of {@code outcomeClass} concerning {@code count} events and logs {@code
   * message} unless a line for that class was logged within the interval.
   */
  public void log(Level level, String outcomeClass, long count, String message) {
    log(level, outcomeClass, count, message, null);
  }

  /**
   * As {@link #log(Level, String, long, String)}, with the stack trace of {@code error} on the lines
   * that are logged.
   */
  public void log(
      Level level, String outcomeClass, long count, String message, @Nullable Throwable error) {
    Window window = windows.computeIfAbsent(outcomeClass, k -> new Window());
    long now = nanoClock.getAsLong();
    long suppressedEvents;
    long suppressedTimes;
    synchronized (window) {
      if (window.lastLogged != Long.MIN_VALUE && now - window.lastLogged < intervalNanos) {
        window.suppressedTimes++;
        window.suppressedEvents.addAndGet(count);
        return;
      }
      window.lastLogged = now;
      suppressedTimes = window.suppressedTimes;
      suppressedEvents = window.suppressedEvents.getAndSet(0);
      window.suppressedTimes = 0;
    }
    String line =
        suppressedTimes == 0
            ? message
            : message
                + " (and "
                + suppressedTimes
                + " more times, "
                + suppressedEvents
                + " events, since the last report)";
    switch (level) {
      case ERROR -> logger.error(line, error);
      case WARN -> logger.warn(line, error);
      default -> logger.info(line, error);
    }
  }

  private static final class Window {
    long lastLogged = Long.MIN_VALUE;
    long suppressedTimes;
    final AtomicLong suppressedEvents = new AtomicLong();
  }
}
