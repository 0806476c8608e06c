package dev.durableeffect.tracker.autoconfigure;

/** Which tracker {@code durable.tracker.type} selects. */
public enum TrackerType {
  /** Batches events and POSTs them to {@code durable.tracker.endpoint}. */
  HTTP,
  /** Discards events: tracking is off. */
  NOOP,
  /** Keeps events in memory, for tests and demos. */
  IN_MEMORY,
  /** Publishes events to a Kafka topic ({@code durable.tracker.kafka.*}); needs {@code tracker-kafka}. */
  KAFKA
}
