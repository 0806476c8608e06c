package dev.durableeffect.tracker;

import io.micrometer.context.ContextSnapshotFactory;
import java.util.concurrent.Callable;

/** The part of {@link CallerContext} that uses context-propagation; loaded only when it is present. */
final class MicrometerContext {

  private static final ContextSnapshotFactory SNAPSHOTS = ContextSnapshotFactory.builder().build();

  private MicrometerContext() {}

  static <T> Callable<T> capture(Callable<T> body) {
    return SNAPSHOTS.captureAll().wrap(body);
  }
}
