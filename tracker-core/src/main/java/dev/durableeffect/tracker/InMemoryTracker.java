package dev.durableeffect.tracker;

import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.event.WorkflowEventType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Records every event in order, in memory, for tests and demos. Thread-safe. {@link #pending()} is
 * the number of events recorded, as in the reference; {@link #clear()} starts afresh.
 */
public final class InMemoryTracker implements EventTracker {

  private final List<WorkflowEvent> events = new ArrayList<>();
  private long invalid;

  /** Creates an empty in-memory tracker. */
  public InMemoryTracker() {}

  @Override
  public void emit(WorkflowEvent event) {
    synchronized (events) {
      if (event == null) {
        invalid++;
      } else {
        events.add(event);
      }
    }
  }

  @Override
  public CompletableFuture<Void> flush() {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public long pending() {
    synchronized (events) {
      return events.size();
    }
  }

  @Override
  public TrackerStats stats() {
    synchronized (events) {
      return new TrackerStats(
          events.size() + invalid, 0, Map.of(DropReason.INVALID, invalid), events.size());
    }
  }

  /** Every recorded event, oldest first (a snapshot). */
  public List<WorkflowEvent> getEvents() {
    synchronized (events) {
      return List.copyOf(events);
    }
  }

  /** The recorded events of one type, oldest first. */
  public List<WorkflowEvent> getEventsByType(WorkflowEventType type) {
    return getEvents().stream().filter(e -> e.type() == type).toList();
  }

  /** The recorded events of one record class, oldest first, typed. */
  public <T extends WorkflowEvent> List<T> getEventsByType(Class<T> type) {
    return getEvents().stream().filter(type::isInstance).map(type::cast).toList();
  }

  /** Whether an event of this type was recorded. */
  public boolean hasEvent(WorkflowEventType type) {
    synchronized (events) {
      return events.stream().anyMatch(e -> e.type() == type);
    }
  }

  /** Forgets every recorded event and resets the counts. */
  public void clear() {
    synchronized (events) {
      events.clear();
      invalid = 0;
    }
  }

  @Override
  public void close() {}

  @Override
  public String toString() {
    return "InMemoryTracker[" + pending() + " events]";
  }
}
