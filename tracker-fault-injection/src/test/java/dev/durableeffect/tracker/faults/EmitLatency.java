package dev.durableeffect.tracker.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.durableeffect.tracker.EventTracker;
import dev.durableeffect.tracker.event.WorkflowEvent;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Durations of individual {@code emit} calls, merged over threads, and how often the emitting
 * threads parked, waited or blocked on a monitor inside {@code emit} (the JVM counts that per
 * thread). A single wall-clock sample says little on two busy cores, where any thread can lose the
 * CPU for tens of milliseconds; the wait count says whether {@code emit} itself ever waited.
 */
final class EmitLatency {

  /** 99 % of emits return within this, however busy the machine (they take microseconds). */
  static final Duration P99_LIMIT = Duration.ofMillis(10);

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private long[] nanos = new long[0];
  private long waits;

  /** Records the emits of one thread; {@link #add} it when the thread is done. */
  static final class Recorder {
    private long[] nanos = new long[1024];
    private int count;
    private long waits;

    /**
     * Emits {@code events} one by one, timing each, and counts whether the thread waited while
     * emitting them; {@code afterEach} runs after each emit, outside the timing.
     */
    void emitAll(EventTracker tracker, List<WorkflowEvent> events, Runnable afterEach) {
      long waitsBefore = waitsSoFar();
      for (WorkflowEvent event : events) {
        long before = System.nanoTime();
        tracker.emit(event);
        long took = System.nanoTime() - before;
        if (count == nanos.length) {
          nanos = Arrays.copyOf(nanos, count * 2);
        }
        nanos[count++] = took;
        afterEach.run();
      }
      waits += waitsSoFar() - waitsBefore;
    }

    void emitAll(EventTracker tracker, List<WorkflowEvent> events) {
      emitAll(tracker, events, () -> {});
    }
  }

  private static long waitsSoFar() {
    ThreadInfo info = THREADS.getThreadInfo(Thread.currentThread().getId(), 0);
    return info.getWaitedCount() + info.getBlockedCount();
  }

  synchronized void add(Recorder recorder) {
    long[] merged = Arrays.copyOf(nanos, nanos.length + recorder.count);
    System.arraycopy(recorder.nanos, 0, merged, nanos.length, recorder.count);
    nanos = merged;
    waits += recorder.waits;
  }

  synchronized long max() {
    return Arrays.stream(nanos).max().orElse(0);
  }

  /** Times an emitting thread parked, waited or blocked inside {@code emit}. */
  synchronized long waits() {
    return waits;
  }

  synchronized long percentile(double fraction) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, sorted.length * fraction)];
  }

  synchronized int samples() {
    return nanos.length;
  }

  /**
   * No emit waited for anything, and (over enough samples for a percentile to differ from the
   * maximum, which a first call's class loading sets) 99 % returned within {@link #P99_LIMIT}.
   */
  void assertCallersNeverWaited() {
    assertThat(samples()).as("emits timed").isPositive();
    assertThat(waits()).as("times a caller parked or blocked in emit; " + summary()).isZero();
    if (samples() >= 1_000) {
      assertThat(Duration.ofNanos(percentile(0.99))).as(summary()).isLessThan(P99_LIMIT);
    }
  }

  synchronized String summary() {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    if (sorted.length == 0) {
      return "no samples";
    }
    return String.format(
        "emit latency over %d calls: p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.2f ms; waits in emit %d",
        sorted.length,
        sorted[(int) (sorted.length * 0.50)] / 1e3,
        sorted[(int) (sorted.length * 0.99)] / 1e3,
        sorted[(int) (sorted.length * 0.999)] / 1e3,
        sorted[sorted.length - 1] / 1e6,
        waits);
  }
}
