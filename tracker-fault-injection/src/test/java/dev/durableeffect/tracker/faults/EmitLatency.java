package dev.durableeffect.tracker.faults;

import java.util.Arrays;

/** Durations of individual {@code emit} calls, merged over threads. */
final class EmitLatency {

  private long[] nanos = new long[0];

  synchronized void add(long[] samples, int count) {
    long[] merged = Arrays.copyOf(nanos, nanos.length + count);
    System.arraycopy(samples, 0, merged, nanos.length, count);
    nanos = merged;
  }

  synchronized long max() {
    return Arrays.stream(nanos).max().orElse(0);
  }

  synchronized String summary() {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    if (sorted.length == 0) {
      return "no samples";
    }
    return String.format(
        "emit latency over %d calls: p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.2f ms",
        sorted.length,
        sorted[(int) (sorted.length * 0.50)] / 1e3,
        sorted[(int) (sorted.length * 0.99)] / 1e3,
        sorted[(int) (sorted.length * 0.999)] / 1e3,
        sorted[sorted.length - 1] / 1e6);
  }
}
