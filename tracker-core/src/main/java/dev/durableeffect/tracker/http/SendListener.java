package dev.durableeffect.tracker.http;

/**
 * Observes every HTTP request the tracker makes, for metrics. Called on the tracker's sender
 * thread: keep it fast; exceptions it throws are logged and ignored.
 */
@FunctionalInterface
public interface SendListener {

  /** One request finished. */
  void onSend(SendReport report);
}
