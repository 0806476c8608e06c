package dev.durableeffect.tracker.http;

import dev.durableeffect.tracker.DropReason;
import dev.durableeffect.tracker.event.WireEvent;
import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.json.EventJson;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Enriches and serializes events once each, drops the ones that cannot be sent, and cuts the rest
 * into batches whose bodies stay within {@code maxBatchBytes}. Used by the sender thread only.
 */
final class BatchAssembler {

  /** Receives the events dropped while assembling. */
  interface Drops {
    void drop(DropReason reason, String detail);
  }

  private final String env;
  private final String serviceKey;
  private final int maxEventBytes;
  private final int maxBatchBytes;
  private final ByteArrayOutputStream scratch = new ByteArrayOutputStream(1024);

  BatchAssembler(HttpBatchTrackerConfig config) {
    this.env = config.env();
    this.serviceKey = config.serviceKey();
    this.maxEventBytes = config.maxEventBytes();
    this.maxBatchBytes = config.maxBatchBytes();
  }

  List<Batch> assemble(List<WorkflowEvent> events, Drops drops) {
    List<Batch> batches = new ArrayList<>(1);
    List<byte[]> current = new ArrayList<>(events.size());
    int currentBytes = 0;
    for (WorkflowEvent event : events) {
      byte[] json = serialize(event, drops);
      if (json == null) {
        continue;
      }
      if (!current.isEmpty()
          && Batch.bodyBytes(currentBytes + json.length, current.size() + 1) > maxBatchBytes) {
        batches.add(new Batch(current));
        current = new ArrayList<>();
        currentBytes = 0;
      }
      current.add(json);
      currentBytes += json.length;
    }
    if (!current.isEmpty()) {
      batches.add(new Batch(current));
    }
    return batches;
  }

  private byte @Nullable [] serialize(WorkflowEvent event, Drops drops) {
    scratch.reset();
    try {
      EventJson.write(new WireEvent(event, env, serviceKey), scratch);
    } catch (RuntimeException | StackOverflowError e) {
      drops.drop(
          DropReason.NOT_SERIALIZABLE,
          event.type() + " event's input could not be written as JSON (" + e.getClass().getSimpleName() + ")");
      return null;
    }
    if (scratch.size() > maxEventBytes) {
      drops.drop(
          DropReason.TOO_LARGE,
          event.type() + " event is " + scratch.size() + " bytes, over maxEventBytes " + maxEventBytes);
      return null;
    }
    return scratch.toByteArray();
  }
}
