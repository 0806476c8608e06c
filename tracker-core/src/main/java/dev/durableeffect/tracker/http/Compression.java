package dev.durableeffect.tracker.http;

/** How request bodies are encoded. */
public enum Compression {
  /** {@code Content-Encoding: gzip}. */
  GZIP,
  /** Plain JSON. */
  NONE
}
