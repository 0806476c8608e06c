package dev.durableeffect.tracker.faults;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Prints how to replay a failed scenario with the same fault script: the seed fixes the sink's
 * sequence of answers, not the run, since batch boundaries depend on timing.
 */
final class SeedReporter implements TestWatcher {

  /** The seed of every scenario: {@code -Dfault.seed=N} replays its fault script. */
  static final long SEED = Long.getLong("fault.seed", 20_261_127L);

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    System.err.println(
        "Fault-injection scenario " + context.getDisplayName() + " failed with seed " + SEED
            + "; the same fault script (batch boundaries still depend on timing) runs with: ./mvnw -pl tracker-fault-injection -am verify -Dfault.seed=" + SEED
            + " -Dtest=" + context.getRequiredTestClass().getSimpleName() + " -Dsurefire.failIfNoSpecifiedTests=false");
  }
}
