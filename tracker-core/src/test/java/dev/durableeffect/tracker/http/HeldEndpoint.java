package dev.durableeffect.tracker.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.durableeffect.tracker.event.WireEvent;
import dev.durableeffect.tracker.json.EventJson;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback endpoint whose answers the test controls: each request is recorded on arrival, then
 * (while holding) waits until the test releases it, then gets the next scripted status (200 once
 * the script is used up). It records the most requests it ever had open at once. Bodies must be
 * uncompressed.
 */
final class HeldEndpoint implements AutoCloseable {

  /** One request as it arrived. */
  record Request(List<WireEvent> events, String idempotencyKey) {
    List<String> ids() {
      return events.stream().map(e -> e.event().base().eventId()).toList();
    }
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final Queue<Integer> script = new ConcurrentLinkedQueue<>();
  private final Semaphore releases = new Semaphore(0);
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger mostOpen = new AtomicInteger();
  private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
  private volatile boolean holding;
  private volatile @org.jspecify.annotations.Nullable String retryAfter;

  HeldEndpoint() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.createContext("/ingest", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/ingest";
  }

  /** The statuses of the next requests, in order; 200 after them. */
  HeldEndpoint answer(int... statuses) {
    for (int status : statuses) {
      script.add(status);
    }
    return this;
  }

  /** Sends {@code Retry-After: value} with every answer other than 200 from now on. */
  HeldEndpoint retryAfter(String value) {
    retryAfter = value;
    return this;
  }

  /** From now on every request waits for a {@link #release()} before it is answered. */
  HeldEndpoint hold() {
    holding = true;
    return this;
  }

  /** Lets one held request (or the next one to arrive) be answered. */
  void release() {
    releases.release();
  }

  /** Stops holding and answers every request waiting now. */
  void releaseAll() {
    holding = false;
    releases.release(1_000);
  }

  /** Requests in arrival order, answered or not. */
  List<Request> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  /** The most requests that were open (arrived, not yet answered) at the same time. */
  int mostOpenAtOnce() {
    return mostOpen.get();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      mostOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
      int status = 200;
      try {
        List<WireEvent> events = EventJson.fromBatchJson(exchange.getRequestBody().readAllBytes());
        requests.add(new Request(events, exchange.getRequestHeaders().getFirst("Idempotency-Key")));
        if (holding && !releases.tryAcquire(30, TimeUnit.SECONDS)) {
          return;
        }
        Integer scripted = script.poll();
        status = scripted == null ? 200 : scripted;
      } finally {
        // Closed before the answer goes out: the client may send its next request the moment it has it.
        open.decrementAndGet();
      }
      String pause = retryAfter;
      if (pause != null && status != 200) {
        exchange.getResponseHeaders().set("Retry-After", pause);
      }
      exchange.sendResponseHeaders(status, -1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    releaseAll();
    server.stop(0);
    executor.shutdownNow();
  }
}
