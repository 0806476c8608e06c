/**
 * Spring Batch in the demo: a job with no tracking code that the starter tracks as a workflow,
 * failing once and resumed by a restart.
 */
@NullMarked
package dev.durableeffect.tracker.sample.batch;

import org.jspecify.annotations.NullMarked;
