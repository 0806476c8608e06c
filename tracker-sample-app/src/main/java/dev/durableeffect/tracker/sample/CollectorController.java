package dev.durableeffect.tracker.sample;

import dev.durableeffect.tracker.event.WireEvent;
import dev.durableeffect.tracker.json.EventJson;
import dev.durableeffect.tracker.json.EventJsonException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import org.jspecify.annotations.Nullable;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The embedded collector: accepts the wire format at {@code POST /ingest} as a tracking service
 * would, and serves what arrived to the page.
 */
@RestController
public class CollectorController {

  /** Largest body accepted, compressed or not. */
  static final int MAX_BODY_BYTES = 16 * 1024 * 1024;

  private final EventStore store;
  private final CollectorFault fault;

  public CollectorController(EventStore store, CollectorFault fault) {
    this.store = store;
    this.fault = fault;
  }

  /**
   * Validates the whole batch with the core JSON reader, then stores the events not seen before.
   * A malformed body is rejected whole with 400 and leaves the store as it was. While a {@link
   * CollectorFault} is in force, batches are answered with 503 or held until it ends.
   */
  @PostMapping(path = "/ingest")
  public Mono<ResponseEntity<Map<String, Object>>> ingest(ServerHttpRequest request) {
    Optional<CollectorFault.Active> active = fault.current();
    if (active.isPresent()) {
      fault.countFaulted();
      if (active.get().mode() == CollectorFault.Mode.FAIL) {
        return Mono.just(error(HttpStatus.SERVICE_UNAVAILABLE, "the collector is failing on purpose (demo fault)"));
      }
      return Mono.delay(fault.remaining()).then(Mono.defer(() -> receive(request)));
    }
    return receive(request);
  }

  private Mono<ResponseEntity<Map<String, Object>>> receive(ServerHttpRequest request) {
    boolean gzip = "gzip".equalsIgnoreCase(request.getHeaders().getFirst("Content-Encoding"));
    return DataBufferUtils.join(request.getBody(), MAX_BODY_BYTES)
        .map(
            buffer -> {
              try (InputStream in = buffer.asInputStream(true)) {
                return in.readAllBytes();
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            })
        .defaultIfEmpty(new byte[0])
        .publishOn(Schedulers.boundedElastic())
        .map(body -> accept(body, gzip))
        .onErrorResume(
            DataBufferLimitException.class,
            e -> Mono.just(error(HttpStatus.PAYLOAD_TOO_LARGE, "body is larger than " + MAX_BODY_BYTES + " bytes")));
  }

  private ResponseEntity<Map<String, Object>> accept(byte[] body, boolean gzip) {
    List<WireEvent> events;
    try {
      events = EventJson.fromBatchJson(gzip ? gunzip(body) : body);
    } catch (EventJsonException e) {
      return error(HttpStatus.BAD_REQUEST, e.getMessage());
    } catch (IOException e) {
      return error(HttpStatus.BAD_REQUEST, "body: Content-Encoding is gzip but the body is not gzip data");
    }
    EventStore.Added added = store.add(events);
    return ResponseEntity.ok(Map.of("received", added.received(), "duplicates", added.duplicates()));
  }

  private static ResponseEntity<Map<String, Object>> error(HttpStatus status, @Nullable String message) {
    return ResponseEntity.status(status).body(Map.of("error", String.valueOf(message)));
  }

  private static byte[] gunzip(byte[] body) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
      return in.readNBytes(MAX_BODY_BYTES);
    }
  }

  /** Stored events, oldest first, as wire JSON; {@code ?workflowId=} keeps one workflow's. */
  @GetMapping(path = "/api/events", produces = MediaType.APPLICATION_JSON_VALUE)
  public String events(@RequestParam(name = "workflowId", required = false) @Nullable String workflowId) {
    List<EventStore.Stored> events = store.events(workflowId);
    StringBuilder json = new StringBuilder(events.size() * 300 + 2).append('[');
    for (int i = 0; i < events.size(); i++) {
      if (i > 0) {
        json.append(',');
      }
      json.append(events.get(i).json());
    }
    return json.append(']').toString();
  }

  /** New events as Server-Sent Events ({@code event: workflow-event}), with a heartbeat. */
  @GetMapping(path = "/api/events/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
  public Flux<ServerSentEvent<String>> stream() {
    Flux<ServerSentEvent<String>> events =
        store.live().map(s -> ServerSentEvent.builder(s.json()).event("workflow-event").build());
    Flux<ServerSentEvent<String>> heartbeat =
        Flux.interval(Duration.ofSeconds(15)).map(i -> ServerSentEvent.<String>builder().comment("keep-alive").build());
    // merge subscribes in order: the feed is live before the first comment opens the stream, so a
    // page that loads stored events on "open" misses nothing.
    Mono<ServerSentEvent<String>> opened = Mono.just(ServerSentEvent.<String>builder().comment("live").build());
    return Flux.merge(events, heartbeat, opened);
  }
}
