package dev.durableeffect.tracker.event;

import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Constructor checks shared by the event records; every message names the field and the value. */
final class Validate {

  private Validate() {}

  static String requireText(@Nullable String value, String field) {
    if (value == null) {
      throw new IllegalArgumentException(field + " is required but was null");
    }
    if (value.isBlank()) {
      throw new IllegalArgumentException(field + " must not be blank but was '" + value + "'");
    }
    return value;
  }

  static Instant requireInstant(@Nullable Instant value, String field) {
    if (value == null) {
      throw new IllegalArgumentException(field + " is required but was null");
    }
    return value;
  }

  static <T> T requireNonNull(@Nullable T value, String field) {
    if (value == null) {
      throw new IllegalArgumentException(field + " is required but was null");
    }
    return value;
  }

  static int requireAttempt(int value, String field) {
    if (value < 1) {
      throw new IllegalArgumentException(field + " must be >= 1 but was " + value);
    }
    return value;
  }

  static long requireNonNegative(long value, String field) {
    if (value < 0) {
      throw new IllegalArgumentException(field + " must be >= 0 but was " + value);
    }
    return value;
  }

  static List<String> copySteps(@Nullable List<String> steps, String field) {
    if (steps == null) {
      throw new IllegalArgumentException(field + " is required but was null");
    }
    for (int i = 0; i < steps.size(); i++) {
      if (steps.get(i) == null) {
        throw new IllegalArgumentException(field + "[" + i + "] must not be null");
      }
    }
    return List.copyOf(steps);
  }

  static @Nullable String blankToNull(@Nullable String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
