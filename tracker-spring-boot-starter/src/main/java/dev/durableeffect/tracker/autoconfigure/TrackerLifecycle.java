package dev.durableeffect.tracker.autoconfigure;

import dev.durableeffect.tracker.EventTracker;
import dev.durableeffect.tracker.EventTracking;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Registers the tracker with {@link EventTracking} on start and flushes it on stop, in a phase after
 * the web server's graceful shutdown (so events from requests that finish while it drains are
 * included) and before Reactor Netty's resources are disposed (phase 0).
 */
final class TrackerLifecycle implements SmartLifecycle {

  /**
   * Stops after graceful shutdown ({@code Integer.MAX_VALUE - 1024}) and the web server ({@code
   * Integer.MAX_VALUE - 2048}), before phase 0. A number, so it means the same on Boot 3.5 and 4.0.
   */
  static final int PHASE = Integer.MAX_VALUE - 4096;

  private static final Logger LOGGER = LoggerFactory.getLogger(TrackerLifecycle.class);

  private final EventTracker tracker;
  private final Duration shutdownTimeout;
  private volatile boolean running;

  TrackerLifecycle(EventTracker tracker, Duration shutdownTimeout) {
    this.tracker = tracker;
    this.shutdownTimeout = shutdownTimeout;
  }

  @Override
  public void start() {
    EventTracking.register(tracker);
    running = true;
  }

  @Override
  public void stop() {
    flush();
    EventTracking.unregister(tracker);
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

  private void flush() {
    try {
      tracker.flush().get(shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOGGER.warn(
          "durable-tracker: {} events still pending after the {} shutdown flush",
          tracker.pending(),
          shutdownTimeout);
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
