package dev.durableeffect.tracker;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The shared executor that timed steps run on unless a recorder is given another: daemon threads
 * created on demand and ended after {@value WorkflowRecorder#TIMEOUT_THREAD_KEEP_ALIVE_SECONDS} s
 * idle, so it holds no thread while unused and never keeps the JVM alive. {@link #shutdown()} ends
 * it at once; the next timed step starts a new one.
 */
final class TimeoutExecutor {

  private static final AtomicInteger THREADS = new AtomicInteger();
  private static @Nullable ExecutorService shared;

  private TimeoutExecutor() {}

  static synchronized Executor shared() {
    ExecutorService executor = shared;
    if (executor == null || executor.isShutdown()) {
      ThreadPoolExecutor pool =
          new ThreadPoolExecutor(
              0,
              Integer.MAX_VALUE,
              WorkflowRecorder.TIMEOUT_THREAD_KEEP_ALIVE_SECONDS,
              TimeUnit.SECONDS,
              new SynchronousQueue<>(),
              task -> {
                Thread thread =
                    new Thread(task, WorkflowRecorder.TIMEOUT_THREAD_NAME_PREFIX + THREADS.incrementAndGet());
                thread.setDaemon(true);
                return thread;
              });
      shared = pool;
      executor = pool;
    }
    return executor;
  }

  /** Interrupts running timed steps and ends the threads; returns once they have ended or after the wait. */
  static boolean shutdown(long waitMillis) throws InterruptedException {
    ExecutorService executor;
    synchronized (TimeoutExecutor.class) {
      executor = shared;
      shared = null;
    }
    if (executor == null) {
      return true;
    }
    executor.shutdownNow();
    return executor.awaitTermination(waitMillis, TimeUnit.MILLISECONDS);
  }
}
