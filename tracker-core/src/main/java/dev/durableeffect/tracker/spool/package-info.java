/**
 * The disk spool: accepted events written to CRC-framed segment files by the tracker's own thread,
 * read back for delivery, and kept across crashes and restarts until delivered (at-least-once).
 */
@NullMarked
package dev.durableeffect.tracker.spool;

import org.jspecify.annotations.NullMarked;
