/**
 * Spring Batch integration: every job bean becomes a tracked workflow. {@link
 * dev.durableeffect.tracker.autoconfigure.batch.BatchWorkflowEvents} holds the mapping rules over
 * plain values; one thin adapter per Batch line (6 for Boot 4, 5.2 for Boot 3.5) reads Batch's
 * objects and registers the listeners.
 */
@NullMarked
package dev.durableeffect.tracker.autoconfigure.batch;

import org.jspecify.annotations.NullMarked;
