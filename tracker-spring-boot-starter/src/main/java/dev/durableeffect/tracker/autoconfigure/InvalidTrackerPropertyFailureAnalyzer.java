package dev.durableeffect.tracker.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains a bad {@code durable.tracker.*} property at startup: which one, its value, what is valid. */
final class InvalidTrackerPropertyFailureAnalyzer
    extends AbstractFailureAnalyzer<InvalidTrackerPropertyException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, InvalidTrackerPropertyException cause) {
    String description =
        cause.value() == null
            ? "The durable-tracker property '" + cause.property() + "' is required but not set."
            : "The durable-tracker property '"
                + cause.property()
                + "' has an invalid value: "
                + cause.value()
                + ".";
    String action =
        "Set '" + cause.property() + "' to " + cause.valid()
            + ", or set durable.tracker.type=noop (or durable.tracker.enabled=false) to turn tracking off.";
    return new FailureAnalysis(description, action, cause);
  }
}
