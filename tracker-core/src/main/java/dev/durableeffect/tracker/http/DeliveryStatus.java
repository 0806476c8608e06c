package dev.durableeffect.tracker.http;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * How delivery has been going, for health checks.
 *
 * @param lastSuccess when a request last succeeded, if ever
 * @param lastFailure when a request last failed, if ever
 * @param lastFailureReason what that failure was (a status or error class; never a header or
 *     payload)
 * @param consecutiveFailures failed requests since the last success
 */
public record DeliveryStatus(
    @Nullable Instant lastSuccess,
    @Nullable Instant lastFailure,
    @Nullable String lastFailureReason,
    long consecutiveFailures) {}
