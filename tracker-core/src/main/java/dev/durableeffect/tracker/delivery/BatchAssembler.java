package dev.durableeffect.tracker.delivery;

import dev.durableeffect.tracker.DropReason;
import dev.durableeffect.tracker.event.BaseEvent;
import dev.durableeffect.tracker.event.WireEvent;
import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.json.EventJson;
import dev.durableeffect.tracker.spool.SpoolRecord;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Enriches and serializes events once each, drops the ones that cannot be sent, and cuts the rest
 * into batches whose bodies stay within {@code maxBatchBytes}. It works on one {@link Taken} run of
 * events at a time and makes one batch per call, so the sender holds at most one assembled batch
 * beside the ones in flight. Used by the sender thread only.
 *
 * <p>Serialization runs the application's code (getters of {@code input}, inside Jackson), so every
 * {@link Throwable} is caught per event, {@link VirtualMachineError}s included: the event is dropped
 * as {@link DropReason#NOT_SERIALIZABLE} and its neighbours go on. An event is written into an
 * {@link EventBuffer} that stops at {@code maxEventBytes}, so an oversized one costs at most that
 * much memory before it is dropped as {@link DropReason#TOO_LARGE}.
 */
final class BatchAssembler {

  /** Events taken from the queue together, not yet all assembled into batches. */
  static final class Taken {
    private final List<WorkflowEvent> events;
    private final Ledger.Span span;
    private int next;
    /** The next event's JSON when it was written but did not fit in the previous batch. */
    private byte @Nullable [] carried;

    Taken(List<WorkflowEvent> events, Ledger.Span span) {
      this.events = events;
      this.span = span;
    }

    boolean isEmpty() {
      return next >= events.size();
    }

    /** Events not assembled yet. */
    int remaining() {
      return events.size() - next;
    }

    Ledger.Span span() {
      return span;
    }
  }

  /** Receives the events dropped while assembling. */
  interface Drops {
    void drop(Ledger.Span span, DropReason reason, String detail);
  }

  private final String env;
  private final String serviceKey;
  private final int maxEventBytes;
  private final int maxBatchBytes;
  private final EventBuffer scratch;

  BatchAssembler(EngineSettings settings) {
    this.env = settings.env();
    this.serviceKey = settings.serviceKey();
    this.maxEventBytes = settings.maxEventBytes();
    this.maxBatchBytes = settings.maxBatchBytes();
    this.scratch = new EventBuffer(maxEventBytes);
  }

  /**
   * The next batch's events from {@code taken}, or null when none of its remaining events could be
   * written. Takes events until the body would exceed {@code maxBatchBytes} or {@code taken} is
   * empty.
   */
  @Nullable List<SpoolRecord> next(Taken taken, Drops drops) {
    List<SpoolRecord> current = new ArrayList<>(Math.min(taken.remaining(), 1024));
    int currentBytes = 0;
    while (!taken.isEmpty()) {
      byte[] json = taken.carried;
      taken.carried = null;
      WorkflowEvent event = taken.events.get(taken.next);
      if (json == null) {
        json = serialize(event, taken.span, drops);
      }
      if (json != null
          && !current.isEmpty()
          && OutgoingBatch.bodyBytes(currentBytes + json.length, current.size() + 1) > maxBatchBytes) {
        taken.carried = json;
        break;
      }
      taken.events.set(taken.next, null);
      taken.next++;
      if (json != null) {
        BaseEvent base = event.base();
        current.add(new SpoolRecord(0, 0, base.workflowId(), base.eventId(), event.type().wireName(), json));
        currentBytes += json.length;
      }
    }
    return current.isEmpty() ? null : current;
  }

  private byte @Nullable [] serialize(WorkflowEvent event, Ledger.Span span, Drops drops) {
    try {
      EventJson.write(new WireEvent(event, env, serviceKey), scratch);
      return scratch.toByteArray();
    } catch (Throwable e) {
      if (overLimit(e)) {
        drops.drop(
            span,
            DropReason.TOO_LARGE,
            event.type() + " event is over maxEventBytes " + maxEventBytes + " bytes");
      } else {
        drops.drop(
            span,
            DropReason.NOT_SERIALIZABLE,
            event.type() + " event's input could not be written as JSON (" + e.getClass().getName() + ")");
      }
    } finally {
      scratch.reset();
    }
    return null;
  }

  /** Whether {@code error} is, or wraps (Jackson wraps what serializers throw), the buffer's limit. */
  private static boolean overLimit(Throwable error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof EventBuffer.LimitExceeded) {
        return true;
      }
      if (cause.getCause() == cause) {
        return false;
      }
    }
    return false;
  }
}
