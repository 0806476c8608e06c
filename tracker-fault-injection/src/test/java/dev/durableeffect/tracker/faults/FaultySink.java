package dev.durableeffect.tracker.faults;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.durableeffect.tracker.event.WireEvent;
import dev.durableeffect.tracker.json.EventJson;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;

/**
 * A loopback HTTP endpoint that misbehaves on a seeded random script: 503 bursts and stretches of
 * outage, 429 with {@code Retry-After}, connections dropped before or after reading the body,
 * responses slower than the client's timeout, an occasional 400, and 413 for large bodies. It
 * records every event it processed and which requests it acknowledged.
 */
final class FaultySink implements AutoCloseable {

  /** What the sink did with one request. */
  enum Fault {
    OK,
    UNAVAILABLE,
    TOO_MANY_REQUESTS,
    DROP_BEFORE_READ,
    DROP_AFTER_READ,
    SLOW,
    BAD_REQUEST,
    TOO_LARGE,
    HANG
  }

  /** How the sink behaves now. */
  enum Mode {
    STORM,
    HEALTHY,
    DOWN,
    HANG
  }

  /** One request: what the sink did, and the event ids in its body (empty when unread). */
  record Request(Fault fault, List<String> ids, String idempotencyKey) {}

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final Random random;
  private final int maxBodyBytes;
  private final Duration slowResponse;
  private final String retryAfter;
  private int outageLeft;
  private volatile Mode mode = Mode.STORM;

  /** Every event id the sink processed (acknowledged or not), and how often. */
  final Map<String, AtomicInteger> processed = new ConcurrentHashMap<>();
  /** Event ids in requests answered 2xx, in order (an answer may still be lost on the way). */
  final List<String> acknowledged = Collections.synchronizedList(new ArrayList<>());
  /** Every request, in arrival order. */
  final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
  /** Every wire event body received in a processed request, for content checks. */
  final List<WireEvent> received = Collections.synchronizedList(new ArrayList<>());

  FaultySink(long seed, int maxBodyBytes, Duration slowResponse, String retryAfter) throws IOException {
    this.random = new Random(seed);
    this.maxBodyBytes = maxBodyBytes;
    this.slowResponse = slowResponse;
    this.retryAfter = retryAfter;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.createContext("/ingest", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/ingest";
  }

  void mode(Mode mode) {
    this.mode = mode;
  }

  private synchronized Fault next(int bodyBytes) {
    switch (mode) {
      case DOWN:
        return Fault.UNAVAILABLE;
      case HANG:
        return Fault.HANG;
      case HEALTHY:
        return bodyBytes > maxBodyBytes ? Fault.TOO_LARGE : Fault.OK;
      default:
        break;
    }
    if (bodyBytes > maxBodyBytes) {
      return Fault.TOO_LARGE;
    }
    if (outageLeft > 0) {
      outageLeft--;
      return Fault.UNAVAILABLE;
    }
    double r = random.nextDouble();
    if (r < 0.015) {
      outageLeft = 8 + random.nextInt(16);
      return Fault.UNAVAILABLE;
    }
    if (r < 0.08) {
      outageLeft = random.nextInt(3);
      return Fault.UNAVAILABLE;
    }
    if (r < 0.09) {
      return Fault.TOO_MANY_REQUESTS;
    }
    if (r < 0.12) {
      return Fault.DROP_BEFORE_READ;
    }
    if (r < 0.15) {
      return Fault.DROP_AFTER_READ;
    }
    if (r < 0.17) {
      return Fault.SLOW;
    }
    if (r < 0.19) {
      return Fault.BAD_REQUEST;
    }
    return Fault.OK;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      int declared = parseLength(exchange.getRequestHeaders().getFirst("Content-Length"));
      String key = String.valueOf(exchange.getRequestHeaders().getFirst("Idempotency-Key"));
      Fault fault = next(declared);
      if (fault == Fault.DROP_BEFORE_READ) {
        requests.add(new Request(fault, List.of(), key));
        return; // closes the connection without reading or answering
      }
      byte[] body = exchange.getRequestBody().readAllBytes();
      if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
          body = in.readAllBytes();
        }
      }
      List<WireEvent> events = EventJson.fromBatchJson(body);
      List<String> ids = events.stream().map(e -> e.event().base().eventId()).toList();
      requests.add(new Request(fault, ids, key));
      switch (fault) {
        case OK -> {
          process(events);
          acknowledged.addAll(ids);
          exchange.sendResponseHeaders(200, -1);
        }
        case DROP_AFTER_READ -> process(events); // stored, but the answer never arrives
        case SLOW -> {
          process(events);
          sleep(slowResponse);
          exchange.sendResponseHeaders(200, -1);
        }
        case HANG -> sleep(Duration.ofSeconds(30));
        case UNAVAILABLE -> exchange.sendResponseHeaders(503, -1);
        case TOO_MANY_REQUESTS -> {
          exchange.getResponseHeaders().set("Retry-After", retryAfter);
          exchange.sendResponseHeaders(429, -1);
        }
        case BAD_REQUEST -> exchange.sendResponseHeaders(400, -1);
        case TOO_LARGE -> exchange.sendResponseHeaders(413, -1);
        default -> throw new IllegalStateException(fault.toString());
      }
    } catch (IOException | RuntimeException e) {
      // The client went away (timeout); nothing to answer.
    }
  }

  private void process(List<WireEvent> events) {
    received.addAll(events);
    for (WireEvent event : events) {
      processed.computeIfAbsent(event.event().base().eventId(), k -> new AtomicInteger()).incrementAndGet();
    }
  }

  /** Events per fault, over all requests that had a body read. */
  Map<Fault, Long> eventsByFault() {
    Map<Fault, Long> counts = new EnumMap<>(Fault.class);
    synchronized (requests) {
      for (Request request : requests) {
        counts.merge(request.fault(), (long) request.ids().size(), Long::sum);
      }
    }
    return counts;
  }

  /** The event ids of the requests with this idempotency key that the sink answered 2xx. */
  List<String> acknowledgedIds(String idempotencyKey) {
    synchronized (requests) {
      return requests.stream()
          .filter(r -> r.fault() == Fault.OK && r.idempotencyKey().equals(idempotencyKey))
          .findFirst()
          .map(Request::ids)
          .orElse(List.of());
    }
  }

  /** Requests per fault. */
  Map<Fault, Long> requestsByFault() {
    Map<Fault, Long> counts = new EnumMap<>(Fault.class);
    synchronized (requests) {
      for (Request request : requests) {
        counts.merge(request.fault(), 1L, Long::sum);
      }
    }
    return counts;
  }

  private static int parseLength(String header) {
    try {
      return header == null ? 0 : Integer.parseInt(header);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
