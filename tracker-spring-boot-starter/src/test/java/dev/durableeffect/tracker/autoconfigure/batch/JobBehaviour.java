package dev.durableeffect.tracker.autoconfigure.batch;

import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * What the test jobs of both Batch lines do: each test sets it up before it launches a job. Tasklets
 * ask whether to fail or stop; chunk steps read {@link #items}, and their processor fails as told.
 */
final class JobBehaviour {

  /** A failure that is worth retrying. */
  static final class TransientFailure extends RuntimeException {
    TransientFailure(String message) {
      super(message);
    }
  }

  private final AtomicBoolean loadFails = new AtomicBoolean();
  private final AtomicBoolean stopOnce = new AtomicBoolean();
  private final Queue<Integer> items = new ConcurrentLinkedQueue<>();
  private final Map<Integer, AtomicInteger> failuresLeft = new ConcurrentHashMap<>();
  private final Map<Integer, AtomicInteger> processed = new ConcurrentHashMap<>();

  /** Whether the next runs of the {@code load} step fail. */
  void loadFails(boolean fails) {
    loadFails.set(fails);
  }

  /** Called by the {@code load} step. */
  void load() {
    if (loadFails.get()) {
      throw new IllegalStateException("warehouse unavailable");
    }
  }

  /** The next run of the {@code drain} step asks the job operator to stop its job. */
  void stopOnce() {
    stopOnce.set(true);
  }

  /** Called by the {@code drain} step: whether to stop now (true once after {@link #stopOnce()}). */
  boolean shouldStop() {
    return stopOnce.getAndSet(false);
  }

  /** The items the next chunk step reads; {@code failures} tells how often processing each fails. */
  void items(List<Integer> values, Map<Integer, Integer> failures) {
    items.clear();
    items.addAll(values);
    failuresLeft.clear();
    processed.clear();
    failures.forEach((item, count) -> failuresLeft.put(item, new AtomicInteger(count)));
  }

  /** The chunk steps' reader. */
  @Nullable Integer nextItem() {
    return items.poll();
  }

  /** The chunk steps' processor: fails with a {@link TransientFailure} while the item has failures left. */
  Integer process(Integer item) {
    processed.computeIfAbsent(item, k -> new AtomicInteger()).incrementAndGet();
    AtomicInteger left = failuresLeft.get(item);
    if (left != null && left.getAndDecrement() > 0) {
      throw new TransientFailure("item " + item + " could not be priced");
    }
    return item * 10;
  }

  /** How often the processor was called for {@code item}. */
  int timesProcessed(int item) {
    AtomicInteger count = processed.get(item);
    return count == null ? 0 : count.get();
  }
}
