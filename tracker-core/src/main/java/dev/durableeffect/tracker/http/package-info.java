/**
 * The HTTP batch tracker: a bounded, non-blocking queue drained by one sender thread that batches,
 * compresses and POSTs events with retries, accounting for every event.
 */
@NullMarked
package dev.durableeffect.tracker.http;

import org.jspecify.annotations.NullMarked;
