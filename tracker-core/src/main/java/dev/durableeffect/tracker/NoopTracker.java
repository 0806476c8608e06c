package dev.durableeffect.tracker;

import dev.durableeffect.tracker.event.WorkflowEvent;
import java.util.concurrent.CompletableFuture;

/** Discards every event and counts nothing: for when tracking is off. */
public final class NoopTracker implements EventTracker {

  /** Creates a no-op tracker. */
  public NoopTracker() {}

  @Override
  public void emit(WorkflowEvent event) {}

  @Override
  public CompletableFuture<Void> flush() {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public long pending() {
    return 0;
  }

  @Override
  public TrackerStats stats() {
    return TrackerStats.EMPTY;
  }

  @Override
  public void close() {}

  @Override
  public String toString() {
    return "NoopTracker";
  }
}
