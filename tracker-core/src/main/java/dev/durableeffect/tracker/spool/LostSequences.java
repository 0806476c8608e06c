package dev.durableeffect.tracker.spool;

import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * Sequences already counted as lost to damage when the store opened, so that reading past the same
 * damage later does not count them again.
 */
final class LostSequences {

  private final TreeMap<Long, Long> ranges = new TreeMap<>();

  /** Records {@code [from, to)} as lost; ranges are added in increasing order. */
  void add(long from, long to) {
    if (from >= to) {
      return;
    }
    Map.Entry<Long, Long> last = ranges.lastEntry();
    if (last != null && last.getValue() >= from) {
      ranges.put(last.getKey(), Math.max(last.getValue(), to));
    } else {
      ranges.put(from, to);
    }
  }

  /**
   * How many of {@code [from, to)} are recorded as lost; forgets everything below {@code to}, which
   * the reader has now passed.
   */
  long takeBelow(long from, long to) {
    long known = 0;
    Iterator<Map.Entry<Long, Long>> it = ranges.entrySet().iterator();
    Long keep = null;
    long keepEnd = 0;
    while (it.hasNext()) {
      Map.Entry<Long, Long> range = it.next();
      if (range.getKey() >= to) {
        break;
      }
      known += Math.max(0, Math.min(range.getValue(), to) - Math.max(range.getKey(), from));
      it.remove();
      if (range.getValue() > to) {
        keep = to;
        keepEnd = range.getValue();
      }
    }
    if (keep != null) {
      ranges.put(keep, keepEnd);
    }
    return known;
  }
}
