package dev.durableeffect.tracker.spool;

import java.nio.file.Path;

/**
 * Thrown when a spool directory is already held by another process or by another tracker in this
 * JVM: two writers on one directory would corrupt each other's files.
 */
public final class SpoolLockedException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  /** An exception naming the absolute {@code directory} that is in use. */
  public SpoolLockedException(Path directory) {
    super(
        "durable-tracker: the spool directory "
            + directory.toAbsolutePath()
            + " is in use by another process; each process needs its own spool directory");
  }
}
