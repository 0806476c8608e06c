package dev.durableeffect.tracker.delivery;

import dev.durableeffect.tracker.event.WorkflowEvent;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Bounded, lock-free for producers, array-backed queue with one consumer (the sender thread).
 *
 * <p>A producer claims a sequence number with one compare-and-set on {@code producerIndex}, then
 * publishes its event into the slot with an ordered store; nothing is allocated and the consumer's
 * index is read only when the cached limit says the queue may be full. Sequence numbers double as
 * the flush protocol: {@link #accepted()} is how many events were ever accepted, and because a slot
 * is claimed before it is filled, a flush that reads it after an emit returned covers every event
 * offered before it.
 *
 * <p>{@link #close()} sets the sign bit of {@code producerIndex} with the same compare-and-set that
 * producers use, so after it returns no event can be accepted any more: the number it returns is
 * final, and every event below it was claimed before the close (its slot may still be filling).
 */
final class EventQueue {

  /** The largest capacity: the ring is a power of two of references. */
  static final int MAX_CAPACITY = 1 << 24;
  /** {@link #offer} result: the queue was full. */
  static final long FULL = -1;
  /** {@link #offer} result: the queue is closed. */
  static final long CLOSED = -2;

  private final AtomicReferenceArray<WorkflowEvent> slots;
  private final int mask;
  private final int capacity;
  private final PaddedSequence producerIndex = new PaddedSequence();
  private final PaddedSequence consumerIndex = new PaddedSequence();
  /** consumerIndex + capacity as last seen by a producer: stale but never too high. */
  private final PaddedSequence producerLimit = new PaddedSequence();

  EventQueue(int capacity) {
    if (capacity < 1 || capacity > MAX_CAPACITY) {
      throw new IllegalArgumentException("capacity " + capacity + " is not in 1.." + MAX_CAPACITY);
    }
    this.capacity = capacity;
    int size = Integer.highestOneBit(Math.max(1, capacity - 1)) << 1;
    this.slots = new AtomicReferenceArray<>(size);
    this.mask = size - 1;
    this.producerLimit.setRelease(capacity);
  }

  /**
   * Adds an event unless the queue is full or closed.
   *
   * @return an upper bound of the depth after adding it (exact when the queue was seen near full),
   *     {@link #FULL}, or {@link #CLOSED}
   */
  long offer(WorkflowEvent event) {
    long limit = producerLimit.get();
    long index;
    do {
      index = producerIndex.get();
      if (index < 0) {
        return CLOSED;
      }
      if (index >= limit) {
        limit = consumerIndex.get() + capacity;
        if (index >= limit) {
          return FULL;
        }
        producerLimit.setRelease(limit);
      }
    } while (!producerIndex.compareAndSet(index, index + 1));
    slots.lazySet((int) index & mask, event);
    return index + 1 - (limit - capacity);
  }

  /**
   * Refuses every later offer.
   *
   * @return how many events were ever accepted; final from now on
   */
  long close() {
    while (true) {
      long index = producerIndex.get();
      if (index < 0) {
        return index & Long.MAX_VALUE;
      }
      if (producerIndex.compareAndSet(index, index | Long.MIN_VALUE)) {
        return index;
      }
    }
  }

  /**
   * Moves up to {@code max} of the oldest events into {@code out}; stops early at a claimed slot
   * that is still being filled. Consumer thread only.
   *
   * @return how many were moved
   */
  int drainTo(List<WorkflowEvent> out, int max) {
    long index = consumerIndex.get();
    int moved = 0;
    while (moved < max) {
      int slot = (int) index & mask;
      WorkflowEvent event = slots.get(slot);
      if (event == null) {
        break;
      }
      slots.lazySet(slot, null);
      out.add(event);
      index++;
      moved++;
    }
    consumerIndex.setRelease(index);
    return moved;
  }

  /** Whether the oldest claimed event is published, so that {@link #drainTo} can take it. */
  boolean headPublished() {
    return slots.get((int) consumerIndex.get() & mask) != null;
  }

  /** Sequence number of the next event {@link #drainTo} takes; consumer thread only. */
  long taken() {
    return consumerIndex.get();
  }

  /** Events accepted and not yet taken, including slots claimed but still being filled; never negative. */
  long size() {
    long consumed = consumerIndex.get();
    return (producerIndex.get() & Long.MAX_VALUE) - consumed;
  }

  /** Events ever accepted. */
  long accepted() {
    return producerIndex.get() & Long.MAX_VALUE;
  }

  int capacity() {
    return capacity;
  }
}
