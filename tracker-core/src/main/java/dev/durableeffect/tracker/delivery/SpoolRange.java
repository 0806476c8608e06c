package dev.durableeffect.tracker.delivery;

/**
 * The spooled records behind one batch (and its halves, if it is split): acknowledged to the spool
 * once every one of them is resolved. Sender thread only.
 */
final class SpoolRange {

  final long firstSequence;
  final int count;
  private int unresolved;

  SpoolRange(long firstSequence, int count) {
    this.firstSequence = firstSequence;
    this.count = count;
    this.unresolved = count;
  }

  /** Marks {@code resolved} records resolved; true when that was the last of them. */
  boolean resolve(int resolved) {
    unresolved -= resolved;
    return unresolved == 0;
  }
}
