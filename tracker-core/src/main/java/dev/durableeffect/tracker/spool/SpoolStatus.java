package dev.durableeffect.tracker.spool;

import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * What the disk spool holds now, for metrics and health.
 *
 * @param directory the spool's directory
 * @param bytes bytes of the segment files
 * @param segments segment files
 * @param oldestAge how long the oldest undelivered event has been in the spool; zero when none
 * @param failures writes and reads of the spool that failed so far (events were kept in memory)
 * @param lastFailure what the last failure was, or null
 */
public record SpoolStatus(
    Path directory, long bytes, int segments, Duration oldestAge, long failures, @Nullable String lastFailure) {}
