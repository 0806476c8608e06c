package dev.durableeffect.tracker.autoconfigure;

import dev.durableeffect.tracker.EventTracker;
import dev.durableeffect.tracker.EventTracking;
import org.springframework.context.SmartLifecycle;

/**
 * Registers the tracker with {@link EventTracking} on start and closes it on stop, in a phase after
 * the web server's graceful shutdown (so events from requests that finish while it drains are
 * included) and before Reactor Netty's resources are disposed (phase 0). Closing stops intake and
 * drains under one deadline, the tracker's shutdown timeout; anything emitted later is counted as
 * dropped ({@code CLOSED}), never lost silently. That holds for {@code EventTracking.emitEvent} too:
 * the closed tracker stays registered (until another one is registered), so an emit from a bean's
 * destroy method, or after the context is gone, reaches it and is counted.
 */
final class TrackerLifecycle implements SmartLifecycle {

  /**
   * Stops after graceful shutdown ({@code Integer.MAX_VALUE - 1024}) and the web server ({@code
   * Integer.MAX_VALUE - 2048}), before phase 0. A number, so it means the same on Boot 3.5 and 4.0.
   */
  static final int PHASE = Integer.MAX_VALUE - 4096;

  private final EventTracker tracker;
  private volatile boolean running;

  TrackerLifecycle(EventTracker tracker) {
    this.tracker = tracker;
  }

  @Override
  public void start() {
    EventTracking.register(tracker);
    running = true;
  }

  @Override
  public void stop() {
    tracker.close();
    running = false;
  }

  @Override
  public void stop(Runnable callback) {
    try {
      stop();
    } finally {
      callback.run();
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }

  EventTracker tracker() {
    return tracker;
  }
}
