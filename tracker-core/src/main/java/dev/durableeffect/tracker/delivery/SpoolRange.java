package dev.durableeffect.tracker.delivery;

/**
 * The spooled records behind one batch (and its halves, if it is split): acknowledged to the spool
 * once every one of them is resolved. Sender thread only.
 */
final class SpoolRange {

  final long firstSequence;
  final int count;
  private int unresolved;

  /**
   * @param firstSequence the first record's sequence number
   * @param count sequence numbers from the first to the last record (records the store skipped in
   *     between included)
   * @param records records in the batch
   */
  SpoolRange(long firstSequence, int count, int records) {
    this.firstSequence = firstSequence;
    this.count = count;
    this.unresolved = records;
  }

  int unresolved() {
    return unresolved;
  }

  /** Marks {@code resolved} records resolved; true when that was the last of them. */
  boolean resolve(int resolved) {
    unresolved -= resolved;
    return unresolved == 0;
  }
}
