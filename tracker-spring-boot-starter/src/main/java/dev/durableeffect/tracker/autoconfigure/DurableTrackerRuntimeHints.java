package dev.durableeffect.tracker.autoconfigure;

import org.jspecify.annotations.Nullable;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;

/**
 * What a native image of an application with the tracker needs beyond what the compiler sees: the
 * version resource behind the {@code User-Agent} header. Event JSON is written field by field, not
 * by reflection; an application's own {@code input} types need hints of their own. Registered in
 * {@code META-INF/spring/aot.factories}.
 */
final class DurableTrackerRuntimeHints implements RuntimeHintsRegistrar {

  /** Read by the HTTP tracker to name its version in {@code User-Agent}. */
  static final String VERSION_RESOURCE = "dev/durableeffect/tracker/http/tracker-version.properties";

  @Override
  public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
    hints.resources().registerPattern(VERSION_RESOURCE);
  }
}
