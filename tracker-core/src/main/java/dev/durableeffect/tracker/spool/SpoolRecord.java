package dev.durableeffect.tracker.spool;

/**
 * One serialized event, as the sender hands it to a transport and as the spool stores it.
 *
 * @param sequence the spool's sequence number (0 for an event that is not spooled)
 * @param appendedAtMillis when the spool stored it, epoch milliseconds (0 when not spooled)
 * @param workflowId the event's workflow, the Kafka record key
 * @param eventId the event's id
 * @param type the event's wire type name, e.g. {@code step.completed}
 * @param json the event's wire JSON in UTF-8, enriched with {@code env} and {@code serviceKey}
 */
public record SpoolRecord(
    long sequence, long appendedAtMillis, String workflowId, String eventId, String type, byte[] json) {}
