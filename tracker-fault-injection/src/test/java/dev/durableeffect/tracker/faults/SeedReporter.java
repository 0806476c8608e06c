package dev.durableeffect.tracker.faults;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/** Prints how to replay a failed scenario with the same seed. */
final class SeedReporter implements TestWatcher {

  /** The seed of every scenario: {@code -Dfault.seed=N} replays a run. */
  static final long SEED = Long.getLong("fault.seed", 20_261_127L);

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    System.err.println(
        "Fault-injection scenario " + context.getDisplayName() + " failed with seed " + SEED
            + "; replay with: ./mvnw -pl tracker-fault-injection -am verify -Dfault.seed=" + SEED
            + " -Dtest=" + context.getRequiredTestClass().getSimpleName() + " -Dsurefire.failIfNoSpecifiedTests=false");
  }
}
