/**
 * The tracker contract ({@link dev.durableeffect.tracker.EventTracker}), the process-wide facade
 * ({@link dev.durableeffect.tracker.EventTracking}), the no-op and in-memory trackers, and the
 * {@link dev.durableeffect.tracker.WorkflowRecorder} that turns workflow state transitions into
 * events.
 */
@NullMarked
package dev.durableeffect.tracker;

import org.jspecify.annotations.NullMarked;
