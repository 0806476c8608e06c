/**
 * The disk spool's storage: append-only segment files of CRC-checked event records, read back in
 * order by the tracker's sender thread and deleted once acknowledged, with a checkpointed
 * watermark. Damaged files never stop it from opening: damage is skipped, counted and logged.
 */
@NullMarked
package dev.durableeffect.tracker.spool;

import org.jspecify.annotations.NullMarked;
