package dev.durableeffect.tracker.delivery;

import dev.durableeffect.tracker.spool.SpoolConfig;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link DeliveryEngine} runs with; the trackers build it from their validated configuration.
 *
 * @param env added to every event on the wire
 * @param serviceKey added to every event on the wire
 * @param maxQueueSize events the queue holds before {@code emit} drops them as {@code QUEUE_FULL}
 * @param batchSize events that make a batch due at once
 * @param maxBatchSize the most events taken for one batch while events back up
 * @param flushInterval the longest an event waits for its batch to fill
 * @param maxEventBytes the largest event JSON sent; larger ones are dropped as {@code TOO_LARGE}
 * @param maxBatchBytes the largest batch, as an HTTP body {@code {"events":[...]}}
 * @param shutdownTimeout how long {@code close()} delivers before it gives up
 * @param threadName prefix of the sender thread's name
 * @param destination where events go, for logs (no credentials)
 * @param spool the disk spool, or null to keep events in memory only
 */
public record EngineSettings(
    String env,
    String serviceKey,
    int maxQueueSize,
    int batchSize,
    int maxBatchSize,
    Duration flushInterval,
    int maxEventBytes,
    int maxBatchBytes,
    Duration shutdownTimeout,
    String threadName,
    String destination,
    @Nullable SpoolConfig spool) {}
