package dev.durableeffect.tracker.benchmarks;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * An in-JVM Reactor Netty server that counts and discards request bodies, or never answers. Serves
 * our wire format at {@code /ingest} and OTLP/HTTP at {@code /v1/logs}.
 */
final class LoopbackSink implements AutoCloseable {

  final AtomicLong requests = new AtomicLong();
  final AtomicLong bytes = new AtomicLong();
  private final DisposableServer server;

  private LoopbackSink(boolean answers) {
    this(answers, Duration.ZERO);
  }

  private LoopbackSink(boolean answers, Duration latency) {
    server =
        HttpServer.create()
            .host("127.0.0.1")
            .port(0)
            .handle(
                (request, response) ->
                    request
                        .receive()
                        .doOnNext(buffer -> bytes.addAndGet(buffer.readableBytes()))
                        .then(
                            answers
                                ? Mono.delay(latency).then(Mono.defer(
                                    () -> {
                                      requests.incrementAndGet();
                                      return response.status(200).header("Content-Type", "application/x-protobuf").send().then();
                                    }))
                                : Mono.never()))
            .bindNow(Duration.ofSeconds(10));
  }

  /** A sink that answers 200 to everything. */
  static LoopbackSink healthy() {
    return new LoopbackSink(true);
  }

  /** A sink that answers 200 to everything after {@code latency}, like an endpoint far away. */
  static LoopbackSink withLatency(Duration latency) {
    return new LoopbackSink(true, latency);
  }

  /** A sink that accepts connections and never answers. */
  static LoopbackSink hanging() {
    return new LoopbackSink(false);
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.port() + path;
  }

  @Override
  public void close() {
    server.disposeNow(Duration.ofSeconds(5));
  }
}
