package dev.durableeffect.tracker.http;

import java.time.Duration;

/**
 * One finished HTTP request, as reported to a {@link SendListener}.
 *
 * @param status the HTTP status, or 0 for an I/O error or timeout
 * @param outcome what the request led to
 * @param duration from sending to the end of the response (or the failure)
 * @param events events in the request body
 * @param idempotencyKey the request's {@code Idempotency-Key}, the same for every try of a batch
 */
public record SendReport(
    int status, SendOutcome outcome, Duration duration, int events, String idempotencyKey) {}
