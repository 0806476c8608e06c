package dev.durableeffect.tracker.http;

import dev.durableeffect.tracker.event.WorkflowEvent;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Bounded, lock-free, multi-producer queue. Each accepted event takes a sequence number: {@link
 * #accepted()} is how many were ever accepted, which lets a flush wait for exactly the events
 * accepted before it.
 */
final class EventQueue {

  private final ConcurrentLinkedQueue<WorkflowEvent> events = new ConcurrentLinkedQueue<>();
  private final AtomicLong reserved = new AtomicLong();
  private final AtomicLong taken = new AtomicLong();
  private final int capacity;

  EventQueue(int capacity) {
    this.capacity = capacity;
  }

  /**
   * Adds an event unless the queue is full.
   *
   * @return the depth after adding it, or -1 when the queue was full
   */
  long offer(WorkflowEvent event) {
    long r;
    // Reserve a slot before the offer: a flush that reads accepted() after this emit returned
    // then counts every event offered before it, whatever order the offers land in.
    do {
      r = reserved.get();
      if (r - taken.get() >= capacity) {
        return -1;
      }
    } while (!reserved.compareAndSet(r, r + 1));
    events.offer(event);
    return r + 1 - taken.get();
  }

  /** The oldest event, or null when none is there yet (a reserved slot may still be filling). */
  @Nullable WorkflowEvent poll() {
    WorkflowEvent event = events.poll();
    if (event != null) {
      taken.incrementAndGet();
    }
    return event;
  }

  /** Events accepted and not yet taken, including slots reserved but still being filled. */
  long size() {
    return reserved.get() - taken.get();
  }

  /** Events ever accepted. */
  long accepted() {
    return reserved.get();
  }

  int capacity() {
    return capacity;
  }
}
