/**
 * The delivery engine shared by the tracker's transports (HTTP, Kafka): a bounded lock-free queue,
 * exact accounting by sequence number, flush and close, and one sender thread that serializes events
 * once and hands batches to a {@link dev.durableeffect.tracker.delivery.Transport}.
 *
 * <p>Public so that transports in other modules can use it; application code uses the trackers
 * ({@code HttpBatchTracker}, {@code KafkaTracker}) instead.
 */
@NullMarked
package dev.durableeffect.tracker.delivery;

import org.jspecify.annotations.NullMarked;
