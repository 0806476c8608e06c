package dev.durableeffect.tracker.benchmarks;

import dev.durableeffect.tracker.event.WireEvent;
import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.json.EventJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A faithful Java port of the reference design's tracker, for comparison only: a copy-on-write
 * buffer (copied on every emit), a send inline in the caller whose emit fills the batch, and every
 * failure retried on an exponential schedule and then dropped without a count.
 */
final class SeedStyleTracker {

  private final AtomicReference<List<WorkflowEvent>> buffer = new AtomicReference<>(List.of());
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final URI endpoint;
  private final int batchSize;
  private final int maxAttempts;
  private final Duration initialDelay;
  final AtomicLong sent = new AtomicLong();

  SeedStyleTracker(String endpoint, int batchSize, int maxAttempts, Duration initialDelay) {
    this.endpoint = URI.create(endpoint);
    this.batchSize = batchSize;
    this.maxAttempts = maxAttempts;
    this.initialDelay = initialDelay;
  }

  /** {@code Ref.update(buffer, events => [...events, event])}, then flush when full, inline. */
  void emit(WorkflowEvent event) {
    List<WorkflowEvent> current =
        buffer.updateAndGet(
            events -> {
              List<WorkflowEvent> copy = new ArrayList<>(events.size() + 1);
              copy.addAll(events);
              copy.add(event);
              return copy;
            });
    if (current.size() >= batchSize) {
      flush();
    }
  }

  void flush() {
    List<WorkflowEvent> events = buffer.getAndSet(List.of());
    if (!events.isEmpty()) {
      sendBatch(events);
    }
  }

  int buffered() {
    return buffer.get().size();
  }

  private void sendBatch(List<WorkflowEvent> events) {
    List<WireEvent> wire = new ArrayList<>(events.size());
    for (WorkflowEvent event : events) {
      wire.add(new WireEvent(event, "bench", "seed"));
    }
    HttpRequest request =
        HttpRequest.newBuilder(endpoint)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(EventJson.toBatchJson(wire)))
            .build();
    // Schedule.exponential(initialDelay) composed with Schedule.recurs(maxAttempts); errors swallowed.
    long delay = initialDelay.toNanos();
    for (int attempt = 0; attempt <= maxAttempts; attempt++) {
      try {
        HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() / 100 == 2) {
          sent.addAndGet(events.size());
          return;
        }
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      if (attempt < maxAttempts) {
        java.util.concurrent.locks.LockSupport.parkNanos(delay);
        delay *= 2;
      }
    }
  }
}
