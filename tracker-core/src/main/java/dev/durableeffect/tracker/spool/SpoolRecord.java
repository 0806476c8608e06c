package dev.durableeffect.tracker.spool;

import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One event in the spool: its identity, its wire type name and its wire JSON.
 *
 * <p>When passed to {@link SpoolStore#append}, {@code sequence} and {@code appendedAtMillis} are
 * ignored (the store assigns them); records returned by {@link SpoolStore#read} carry the stored
 * values. The JSON array is not copied: callers must not modify it after handing it over.
 *
 * @param sequence the store-assigned position, consecutive across restarts
 * @param appendedAtMillis when the record was appended, in epoch milliseconds of the store's clock
 * @param workflowId the workflow the event belongs to, at most 65,535 UTF-8 bytes
 * @param eventId the event's id, at most 65,535 UTF-8 bytes
 * @param type the wire type name, for example {@code step.completed}, at most 65,535 UTF-8 bytes
 * @param json the event's UTF-8 wire JSON
 */
public record SpoolRecord(
    long sequence, long appendedAtMillis, String workflowId, String eventId, String type, byte[] json) {

  /** Requires every reference component. */
  public SpoolRecord {
    Objects.requireNonNull(workflowId, "workflowId");
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(json, "json");
  }

  /** A record to append: sequence and time are assigned by the store. */
  public static SpoolRecord of(String workflowId, String eventId, String type, byte[] json) {
    return new SpoolRecord(0, 0, workflowId, eventId, type, json);
  }

  /** Equal when every component is, the JSON compared by content. */
  @Override
  public boolean equals(@Nullable Object other) {
    return other instanceof SpoolRecord that
        && sequence == that.sequence
        && appendedAtMillis == that.appendedAtMillis
        && workflowId.equals(that.workflowId)
        && eventId.equals(that.eventId)
        && type.equals(that.type)
        && Arrays.equals(json, that.json);
  }

  /** A hash of every component, the JSON by content. */
  @Override
  public int hashCode() {
    return Objects.hash(sequence, appendedAtMillis, workflowId, eventId, type, Arrays.hashCode(json));
  }

  /** Identity and size only: never the payload. */
  @Override
  public String toString() {
    return "SpoolRecord[sequence="
        + sequence
        + ", appendedAtMillis="
        + appendedAtMillis
        + ", workflowId="
        + workflowId
        + ", eventId="
        + eventId
        + ", type="
        + type
        + ", json="
        + json.length
        + " bytes]";
  }
}
