package dev.durableeffect.tracker.sample;

import dev.durableeffect.tracker.event.WireEvent;
import dev.durableeffect.tracker.json.EventJson;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import reactor.core.publisher.BufferOverflowStrategy;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * The embedded collector's memory: the newest {@value #CAPACITY} events, deduplicated by {@code
 * eventId}, in arrival order, with a live feed of new arrivals.
 */
@Component
public class EventStore {

  /** Events kept at most; the oldest go first. */
  public static final int CAPACITY = 10_000;

  /** One stored event and its wire JSON. */
  public record Stored(WireEvent event, String json) {}

  /** What one ingest did: new events stored, and events already seen. */
  public record Added(int received, int duplicates) {}

  private final LinkedHashMap<String, Stored> byId = new LinkedHashMap<>();
  private long duplicatesSeen;
  private final Sinks.Many<Stored> live = Sinks.many().multicast().directBestEffort();

  /** Stores the events not seen before; all of them or, when the batch is empty, none. */
  public synchronized Added add(List<WireEvent> events) {
    int received = 0;
    int duplicates = 0;
    for (WireEvent event : events) {
      String id = event.event().base().eventId();
      if (byId.containsKey(id)) {
        duplicates++;
        duplicatesSeen++;
        continue;
      }
      Stored stored = new Stored(event, EventJson.toJson(event));
      byId.put(id, stored);
      received++;
      if (byId.size() > CAPACITY) {
        Iterator<String> oldest = byId.keySet().iterator();
        oldest.next();
        oldest.remove();
      }
      live.tryEmitNext(stored);
    }
    return new Added(received, duplicates);
  }

  /** Stored events oldest first, optionally of one workflow instance only. */
  public synchronized List<Stored> events(@Nullable String workflowId) {
    List<Stored> result = new ArrayList<>();
    for (Stored stored : byId.values()) {
      if (workflowId == null || workflowId.equals(stored.event().event().base().workflowId())) {
        result.add(stored);
      }
    }
    return result;
  }

  /**
   * Events as they arrive from now on. Each subscriber gets its own bounded buffer, so a slow page
   * never makes the sink drop events for it; past {@value #CAPACITY} it loses the oldest.
   */
  public Flux<Stored> live() {
    return live.asFlux().onBackpressureBuffer(CAPACITY, dropped -> { }, BufferOverflowStrategy.DROP_OLDEST);
  }

  /** Events received again after they were stored (a retried batch whose first answer was lost). */
  public synchronized long duplicatesSeen() {
    return duplicatesSeen;
  }

  /** How many events are stored. */
  public synchronized int size() {
    return byId.size();
  }
}
