package dev.durableeffect.tracker.delivery;

import dev.durableeffect.tracker.EventTracker;
import dev.durableeffect.tracker.http.DeliveryStatus;
import dev.durableeffect.tracker.http.SendListener;
import dev.durableeffect.tracker.spool.SpoolStatus;
import org.jspecify.annotations.Nullable;

/**
 * A tracker that delivers through a {@link DeliveryEngine} (HTTP, Kafka): what health checks and
 * metrics read from it, whatever the transport.
 */
public interface DeliveringTracker extends EventTracker {

  /** How delivery has been going: last success, last failure and its reason. */
  DeliveryStatus deliveryStatus();

  /** Events waiting in the queue (not counting the batches being sent). */
  long queueSize();

  /** Events the queue holds at most ({@code maxQueueSize}). */
  int queueCapacity();

  /** Observes every send from now on, for metrics. */
  void addSendListener(SendListener listener);

  /** Where events go, for logs and health details; never with credentials. */
  String destination();

  /** What the disk spool holds now, or null without a spool. */
  default @Nullable SpoolStatus spoolStatus() {
    return null;
  }
}
