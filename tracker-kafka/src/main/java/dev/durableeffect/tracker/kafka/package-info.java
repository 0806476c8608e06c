/**
 * The Kafka output: publishes each workflow event as one record to a Kafka topic, keyed by its
 * {@code workflowId} so that a workflow's events stay in one partition, in emit order. The queue,
 * accounting, flush and shutdown are the delivery engine's, shared with the HTTP tracker; this
 * package only sends.
 */
@NullMarked
package dev.durableeffect.tracker.kafka;

import org.jspecify.annotations.NullMarked;
