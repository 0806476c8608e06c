package dev.durableeffect.tracker.delivery;

import dev.durableeffect.tracker.RateLimitedLog;
import dev.durableeffect.tracker.TrackerStats;
import dev.durableeffect.tracker.spool.SpoolRecord;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * The engine's side of a transport, without the engine: a {@link TransportContext} over real
 * counters, with or without a spool ({@link TransportContext#retryForever()}), and batches taken
 * from an imaginary queue in order. For unit tests of a transport driven step by step.
 */
public final class TransportHarness {

  private final DeliveryCounters counters = new DeliveryCounters(Clock.systemUTC());
  private final TransportContext context;
  private final boolean spooled;
  private long accepted;
  private long spoolSequence;

  /** {@code spooled}: as if a spool were configured, so retryable failures are retried forever. */
  public TransportHarness(boolean spooled, Runnable wake) {
    this.spooled = spooled;
    SpoolSource spool =
        new SpoolSource() {
          @Override
          public void resolved(SpoolRange range, int count) {}

          @Override
          public boolean expired(long appendedAtMillis) {
            return expired;
          }
        };
    this.context =
        new TransportContext(
            counters,
            new RateLimitedLog(LoggerFactory.getLogger(TransportHarness.class), Duration.ofSeconds(30)),
            wake,
            spooled ? spool : null);
  }

  private volatile boolean expired;

  /** From now on, spooled events count as older than the spool's maxAge. */
  public void expireSpooledEvents() {
    expired = true;
  }

  public TransportContext context() {
    return context;
  }

  /** A batch of {@code records}, accepted and taken from the queue after every earlier batch. */
  public OutgoingBatch batch(List<SpoolRecord> records) {
    Ledger.Span span = counters.taken(accepted, records.size());
    accepted += records.size();
    if (!spooled) {
      return new OutgoingBatch(records, span, null);
    }
    // As the engine does: written to the spool, then read back from it.
    counters.spooled(span, records.size());
    SpoolRange range = new SpoolRange(spoolSequence, records.size(), records.size());
    spoolSequence += records.size();
    return new OutgoingBatch(records, null, range);
  }

  /** The accounting of every batch made so far. */
  public TrackerStats stats() {
    return counters.snapshot(accepted);
  }
}
