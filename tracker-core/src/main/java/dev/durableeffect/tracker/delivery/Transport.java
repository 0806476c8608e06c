package dev.durableeffect.tracker.delivery;

/**
 * Sends the batches the {@link DeliveryEngine} hands it (HTTP requests, Kafka records). Called by
 * the engine's sender thread only, and never allowed to block it for long: work in flight completes
 * elsewhere (an HTTP client's thread, a Kafka producer's callback), which wakes the sender through
 * {@link TransportContext#wake()}; the transport then resolves the batch in {@link #advance}.
 *
 * <p>Every event of every batch added is resolved exactly once through the {@link TransportContext}:
 * delivered, dropped with a reason, or (at shutdown) {@linkplain TransportContext#shutdownReached
 * given up for now}, unless the engine calls {@link #forget()}, after which it accounts for them.
 */
public interface Transport {

  /** {@link #advance} result: nothing to wait for but a completion or new batches. */
  long NO_TIMER = Long.MIN_VALUE;

  /** Creates the transport for an engine, with the context it resolves events through. */
  @FunctionalInterface
  interface Factory {
    /** The transport; called once, on the thread that starts the engine. */
    Transport create(TransportContext context);
  }

  /** Whether the transport takes another batch now; false bounds the memory it holds. */
  boolean hasRoom();

  /** Takes a batch to send after the ones it holds. */
  void add(OutgoingBatch batch);

  /**
   * Handles what has completed, starts what is due, as far as it can go now.
   *
   * @param nowNanos {@link System#nanoTime()}
   * @param closing whether shutdown has begun; then nothing may outlive {@code deadlineNanos}
   * @param deadlineNanos the shutdown deadline, when closing
   * @return the {@code nanoTime} at which it next needs attention (a retry), or {@link #NO_TIMER}
   */
  long advance(long nowNanos, boolean closing, long deadlineNanos);

  /** Whether nothing is in flight or waiting to be sent. */
  boolean idle();

  /**
   * Cancels what is in flight and lets go of every batch without resolving it: the engine accounts
   * for them (shutdown out of time, or a failure of the sender).
   */
  void forget();

  /** Releases the transport's resources; called once, after the sender thread has stopped. */
  void close();
}
