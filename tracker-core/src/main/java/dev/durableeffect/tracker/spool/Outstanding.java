package dev.durableeffect.tracker.spool;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The records read but not yet acknowledged, as runs of consecutive sequences appended at the same
 * millisecond (a read of one appended batch is usually one run), so the watermark and the oldest
 * unacknowledged time are known without touching the disk.
 */
final class Outstanding {

  private static final class Run {
    long start;
    long end;
    final long appendedAt;

    Run(long start, long end, long appendedAt) {
      this.start = start;
      this.end = end;
      this.appendedAt = appendedAt;
    }
  }

  private final TreeMap<Long, Run> runs = new TreeMap<>();
  private long count;

  /** Adds a record just read; sequences arrive in increasing order. */
  void add(long sequence, long appendedAt) {
    Map.Entry<Long, Run> last = runs.lastEntry();
    if (last != null && last.getValue().end == sequence && last.getValue().appendedAt == appendedAt) {
      last.getValue().end++;
    } else {
      runs.put(sequence, new Run(sequence, sequence + 1, appendedAt));
    }
    count++;
  }

  /** Removes the sequences {@code [from, to)} that are outstanding; returns how many were. */
  long remove(long from, long to) {
    if (from >= to || runs.isEmpty()) {
      return 0;
    }
    Long startKey = runs.floorKey(from);
    List<Run> overlapping =
        new ArrayList<>(runs.subMap(startKey == null ? from : startKey, true, to, false).values());
    long removed = 0;
    for (Run run : overlapping) {
      long overlapStart = Math.max(run.start, from);
      long overlapEnd = Math.min(run.end, to);
      if (overlapStart >= overlapEnd) {
        continue;
      }
      removed += overlapEnd - overlapStart;
      runs.remove(run.start);
      if (run.start < overlapStart) {
        runs.put(run.start, new Run(run.start, overlapStart, run.appendedAt));
      }
      if (overlapEnd < run.end) {
        runs.put(overlapEnd, new Run(overlapEnd, run.end, run.appendedAt));
      }
    }
    count -= removed;
    return removed;
  }

  /**
   * Moves the sequences below {@code to} to {@code target}, which holds only sequences outside this
   * one's; returns how many there were.
   */
  long moveBelow(long to, Outstanding target) {
    long moved = 0;
    while (!runs.isEmpty() && runs.firstKey() < to) {
      Run run = runs.pollFirstEntry().getValue();
      long end = Math.min(run.end, to);
      target.runs.put(run.start, new Run(run.start, end, run.appendedAt));
      moved += end - run.start;
      if (end < run.end) {
        runs.put(end, new Run(end, run.end, run.appendedAt));
      }
    }
    count -= moved;
    target.count += moved;
    return moved;
  }

  boolean isEmpty() {
    return runs.isEmpty();
  }

  long count() {
    return count;
  }

  /** The lowest outstanding sequence; only when not empty. */
  long lowest() {
    return runs.firstKey();
  }

  /** The appendedAtMillis of the lowest outstanding sequence; only when not empty. */
  long lowestAppendedAt() {
    return runs.firstEntry().getValue().appendedAt;
  }
}
