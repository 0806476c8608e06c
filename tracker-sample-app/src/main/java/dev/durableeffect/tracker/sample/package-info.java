/** The demo: workflows emitting every event type, an embedded collector, and a live page. */
@NullMarked
package dev.durableeffect.tracker.sample;

import org.jspecify.annotations.NullMarked;
