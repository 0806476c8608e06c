package dev.durableeffect.tracker.http;

import org.jspecify.annotations.Nullable;

/**
 * A tracker setting has a value it cannot run with. Carries the setting's name (as in {@link
 * HttpBatchTrackerConfig.Builder}), the offending value (already redacted where it could hold a
 * secret) and what would be valid, so that callers such as the Spring Boot starter can report it in
 * their own terms.
 */
public final class InvalidSettingException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String setting;
  private final @Nullable String value;
  private final String expected;

  /**
   * @param setting the setting's name, as in the tracker's builder
   * @param value the offending value as text, redacted where it could hold a secret; null when missing
   * @param expected what would be valid
   */
  public InvalidSettingException(String setting, @Nullable String value, String expected) {
    super(
        value == null
            ? "durable-tracker setting " + setting + " is required (expected " + expected + ")"
            : "Invalid durable-tracker setting " + setting + ": " + value + " (expected " + expected + ")");
    this.setting = setting;
    this.value = value;
    this.expected = expected;
  }

  /** The setting's name, for example {@code batchSize}. */
  public String setting() {
    return setting;
  }

  /** The offending value as text, or null when the setting was missing. */
  public @Nullable String value() {
    return value;
  }

  /** What would be valid. */
  public String expected() {
    return expected;
  }
}
