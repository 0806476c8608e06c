package dev.durableeffect.tracker.delivery;

import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;

/** Flushes waiting for the resolved count to reach the accepted count they saw. */
final class FlushWaiters {

  private record Waiter(long target, CompletableFuture<Void> future) {}

  private final PriorityQueue<Waiter> waiters =
      new PriorityQueue<>((a, b) -> Long.compare(a.target, b.target));

  synchronized void add(long target, CompletableFuture<Void> future) {
    waiters.add(new Waiter(target, future));
  }

  /** Whether some flush waits for events not yet resolved. */
  synchronized boolean waitingBeyond(long resolved) {
    Waiter first = waiters.peek();
    return first != null && first.target > resolved;
  }

  void completeUpTo(long resolved) {
    while (true) {
      Waiter done;
      synchronized (this) {
        Waiter first = waiters.peek();
        if (first == null || first.target > resolved) {
          return;
        }
        done = waiters.poll();
      }
      done.future.complete(null);
    }
  }

  /** Removes and returns the flushes whose target is at most {@code resolved}, without completing them. */
  synchronized java.util.List<CompletableFuture<Void>> takeUpTo(long resolved) {
    java.util.List<CompletableFuture<Void>> taken = new java.util.ArrayList<>(0);
    Waiter first;
    while ((first = waiters.peek()) != null && first.target <= resolved) {
      taken.add(waiters.poll().future);
    }
    return taken;
  }

  void completeAll() {
    completeUpTo(Long.MAX_VALUE);
  }
}
