/**
 * The workflow event model: the 16 lifecycle event records, their shared {@link
 * dev.durableeffect.tracker.event.BaseEvent} fields, and factories for base and wire events.
 */
@NullMarked
package dev.durableeffect.tracker.event;

import org.jspecify.annotations.NullMarked;
