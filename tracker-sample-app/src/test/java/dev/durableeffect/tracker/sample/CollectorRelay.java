package dev.durableeffect.tracker.sample;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;

/**
 * Carries the tracker's requests to the demo's own collector when the demo runs on a random port.
 * The tracker's endpoint is fixed when the tracker is created, the server's port is known only once
 * it has started; the relay listens from the start on a port the system gave it (so no other
 * process can take it in between, as one could take a port picked free and bound later) and
 * forwards to the collector from the moment {@link #target()} learns the port. Until then it
 * answers 503, which the tracker retries.
 */
final class CollectorRelay {

  private static final List<String> FORWARDED =
      List.of("Content-Type", "Content-Encoding", "Idempotency-Key", "User-Agent", "Authorization");

  private final HttpServer server;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private volatile int collectorPort;

  private CollectorRelay() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.createContext("/ingest", this::forward);
    server.setExecutor(Executors.newCachedThreadPool(r -> {
      Thread thread = new Thread(r, "collector-relay");
      thread.setDaemon(true);
      return thread;
    }));
    server.start();
  }

  /** A relay listening until the JVM exits. */
  static CollectorRelay start() {
    try {
      return new CollectorRelay();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The URL to give the tracker as its endpoint. */
  String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/ingest";
  }

  /** Points the relay at the application's port once its web server has started. */
  ApplicationListener<WebServerInitializedEvent> target() {
    return new ApplicationListener<>() {
      @Override
      public void onApplicationEvent(WebServerInitializedEvent event) {
        collectorPort = event.getWebServer().getPort();
      }
    };
  }

  private void forward(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body = exchange.getRequestBody().readAllBytes();
      int port = collectorPort;
      if (port <= 0) {
        exchange.sendResponseHeaders(503, -1);
        return;
      }
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ingest"))
              .timeout(Duration.ofSeconds(10))
              .POST(HttpRequest.BodyPublishers.ofByteArray(body));
      for (String name : FORWARDED) {
        String value = exchange.getRequestHeaders().getFirst(name);
        if (value != null) {
          request.header(name, value);
        }
      }
      HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      exchange.sendResponseHeaders(response.statusCode(), response.body().length == 0 ? -1 : response.body().length);
      if (response.body().length > 0) {
        exchange.getResponseBody().write(response.body());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // The collector went away (the context closed); the tracker counts what it could not send.
    }
  }
}
