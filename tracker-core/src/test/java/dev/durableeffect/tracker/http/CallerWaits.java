package dev.durableeffect.tracker.http;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;

/**
 * How often the current thread has parked, waited or blocked on a monitor, as the JVM counts it.
 * Unchanged across a call means the call never gave up the CPU to wait for anything: the
 * deterministic form of "never blocks", unlike a wall-clock limit on a busy machine.
 */
final class CallerWaits {

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private CallerWaits() {}

  /** Times the current thread parked, waited or blocked so far. */
  static long sofar() {
    ThreadInfo info = THREADS.getThreadInfo(Thread.currentThread().getId(), 0);
    return info.getWaitedCount() + info.getBlockedCount();
  }
}
