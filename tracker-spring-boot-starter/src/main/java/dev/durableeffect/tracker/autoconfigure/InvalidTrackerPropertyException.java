package dev.durableeffect.tracker.autoconfigure;

import org.jspecify.annotations.Nullable;

/**
 * A {@code durable.tracker.*} property has a value the tracker cannot start with. Reported at
 * startup by {@link InvalidTrackerPropertyFailureAnalyzer}.
 */
public final class InvalidTrackerPropertyException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String property;
  private final @Nullable String value;
  private final String valid;

  /**
   * @param property the full property name, for example {@code durable.tracker.batch-size}
   * @param value the bad value as text (redacted where it could hold a secret), or null if missing
   * @param valid what would be valid
   */
  public InvalidTrackerPropertyException(String property, @Nullable String value, String valid) {
    super(
        value == null
            ? property + " is required but not set; expected " + valid
            : property + " has an invalid value " + value + "; expected " + valid);
    this.property = property;
    this.value = value;
    this.valid = valid;
  }

  /** The full property name. */
  public String property() {
    return property;
  }

  /** The bad value as text, or null when it was missing. */
  public @Nullable String value() {
    return value;
  }

  /** What would be valid. */
  public String valid() {
    return valid;
  }
}
