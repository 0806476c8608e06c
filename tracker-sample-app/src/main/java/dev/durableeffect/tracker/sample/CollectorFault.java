package dev.durableeffect.tracker.sample;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * A fault the embedded collector plays for a while, so that a visitor can watch the tracker retry,
 * its queue fill, and everything drain once the collector recovers.
 */
@Component
public class CollectorFault {

  /** Longest fault the page may ask for. */
  public static final int MAX_SECONDS = 300;

  /** What the collector does while the fault lasts. */
  public enum Mode {
    /** Answers every batch with 503 Service Unavailable. */
    FAIL,
    /** Holds every batch without an answer until the fault ends (the tracker's request timeout fires first). */
    HANG;

    /** The mode a request names: {@code fail} or {@code hang}, any case. */
    static Optional<Mode> parse(@Nullable String text) {
      if (text == null) {
        return Optional.empty();
      }
      for (Mode mode : values()) {
        if (mode.name().equalsIgnoreCase(text.strip())) {
          return Optional.of(mode);
        }
      }
      return Optional.empty();
    }

    /** The mode as the page names it. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A fault in force until {@code until}. */
  public record Active(Mode mode, Instant until) {}

  private final Clock clock;
  private final AtomicLong answeredWithFault = new AtomicLong();
  private volatile @Nullable Active active;

  public CollectorFault() {
    this(Clock.systemUTC());
  }

  CollectorFault(Clock clock) {
    this.clock = clock;
  }

  /** Plays {@code mode} for {@code duration} from now, replacing any fault in force. */
  public Active start(Mode mode, Duration duration) {
    Active fault = new Active(mode, clock.instant().plus(duration));
    active = fault;
    return fault;
  }

  /** Ends the fault now. */
  public void stop() {
    active = null;
  }

  /** The fault in force now, if any. */
  public Optional<Active> current() {
    Active fault = active;
    return fault != null && clock.instant().isBefore(fault.until()) ? Optional.of(fault) : Optional.empty();
  }

  /** How long the fault in force has left; zero when none. */
  public Duration remaining() {
    return current().map(f -> Duration.between(clock.instant(), f.until())).orElse(Duration.ZERO);
  }

  /** Counts a request the collector answered (or held) because of a fault. */
  void countFaulted() {
    answeredWithFault.incrementAndGet();
  }

  /** Requests answered with 503 or held because of a fault, since the app started. */
  public long faultedRequests() {
    return answeredWithFault.get();
  }
}
