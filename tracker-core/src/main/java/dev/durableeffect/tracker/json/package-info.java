/** The wire JSON of workflow events: writing and reading {@code {"events":[...]}} batches. */
@NullMarked
package dev.durableeffect.tracker.json;

import org.jspecify.annotations.NullMarked;
