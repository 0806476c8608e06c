package dev.durableeffect.tracker.http;

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
 * offered before it. Consumer methods are synchronized so that shutdown can drain what the sender
 * left.
 */
final class EventQueue {

  private final AtomicReferenceArray<WorkflowEvent> slots;
  private final int mask;
  private final int capacity;
  private final PaddedSequence producerIndex = new PaddedSequence();
  private final PaddedSequence consumerIndex = new PaddedSequence();
  /** consumerIndex + capacity as last seen by a producer: stale but never too high. */
  private final PaddedSequence producerLimit = new PaddedSequence();

  EventQueue(int capacity) {
    this.capacity = capacity;
    int size = Integer.highestOneBit(Math.max(1, capacity - 1)) << 1;
    this.slots = new AtomicReferenceArray<>(size);
    this.mask = size - 1;
    this.producerLimit.setRelease(capacity);
  }

  /**
   * Adds an event unless the queue is full.
   *
   * @return an upper bound of the depth after adding it (exact when the queue was seen near full),
   *     or -1 when the queue was full
   */
  long offer(WorkflowEvent event) {
    long limit = producerLimit.get();
    long index;
    do {
      index = producerIndex.get();
      if (index >= limit) {
        limit = consumerIndex.get() + capacity;
        if (index >= limit) {
          return -1;
        }
        producerLimit.setRelease(limit);
      }
    } while (!producerIndex.compareAndSet(index, index + 1));
    slots.lazySet((int) index & mask, event);
    return index + 1 - (limit - capacity);
  }

  /**
   * Moves up to {@code max} of the oldest events into {@code out}; stops early at a claimed slot
   * that is still being filled.
   *
   * @return how many were moved
   */
  synchronized int drainTo(List<WorkflowEvent> out, int max) {
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

  /** Events accepted and not yet taken, including slots claimed but still being filled. */
  long size() {
    return producerIndex.get() - consumerIndex.get();
  }

  /** Events ever accepted. */
  long accepted() {
    return producerIndex.get();
  }

  int capacity() {
    return capacity;
  }
}
