package dev.durableeffect.tracker.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.jspecify.annotations.Nullable;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;

/** POSTs one body and reports the status; never fails, an I/O error or timeout is status 0. */
final class HttpSender {

  /**
   * The answer to one request.
   *
   * @param status the HTTP status, or 0 when no response came
   * @param retryAfter the {@code Retry-After} header, if any
   * @param failure why no response came (status 0), without secrets
   * @param misconfigured whether the request failed in a way retrying cannot fix: TLS trust or
   *     handshake, or a request the client refused to build (an invalid header value)
   */
  record Response(
      int status, @Nullable String retryAfter, @Nullable String failure, boolean misconfigured) {

    Response(int status, @Nullable String retryAfter, @Nullable String failure) {
      this(status, retryAfter, failure, false);
    }

    /** A short text for logs and health: the status or the error class, never a payload. */
    String describe() {
      return status == 0 ? String.valueOf(failure) : "HTTP " + status;
    }
  }

  private final WebClient client;
  private final URI endpoint;
  private final Map<String, String> headers;
  private final boolean gzip;

  HttpSender(WebClient client, HttpBatchTrackerConfig config, String userAgent) {
    this.client = client;
    this.endpoint = config.endpoint();
    this.gzip = config.compression() == Compression.GZIP;
    java.util.LinkedHashMap<String, String> all = new java.util.LinkedHashMap<>();
    all.put("Content-Type", "application/json");
    all.put("User-Agent", userAgent);
    config.headers().forEach(all::put);
    if (gzip) {
      all.put("Content-Encoding", "gzip");
    }
    this.headers = Map.copyOf(all);
  }

  /** The body as it goes on the wire: gzipped when compression is on. */
  byte[] encode(byte[] body) {
    return gzip ? gzip(body) : body;
  }

  /** Sends an {@link #encode encoded} body; the future always completes normally. */
  CompletableFuture<Response> send(byte[] payload, String idempotencyKey, Duration timeout) {
    return client
        .post()
        .uri(endpoint)
        .headers(
            h -> {
              headers.forEach(h::set);
              h.set("Idempotency-Key", idempotencyKey);
            })
        .bodyValue(payload)
        .exchangeToMono(
            response ->
                response
                    .releaseBody()
                    .then(
                        Mono.fromSupplier(
                            () ->
                                new Response(
                                    response.statusCode().value(),
                                    first(response.headers().header("Retry-After")),
                                    null))))
        .timeout(timeout)
        .onErrorResume(e -> Mono.just(failed(e, timeout)))
        .toFuture();
  }

  private static @Nullable String first(List<String> values) {
    return values.isEmpty() ? null : values.get(0);
  }

  /** A failure that retrying cannot fix: the TLS setup or the request itself is wrong. */
  static Response failed(Throwable error, Duration timeout) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      boolean untrusted =
          cause instanceof java.security.GeneralSecurityException
              || cause instanceof javax.net.ssl.SSLPeerUnverifiedException
              || (cause instanceof javax.net.ssl.SSLHandshakeException
                  && !(cause.getCause() instanceof IOException));
      if (untrusted) {
        return new Response(0, null, "TLS failure (" + cause.getClass().getSimpleName() + ")", true);
      }
      if (cause instanceof IllegalArgumentException) {
        return new Response(
            0, null, "the request could not be built (" + cause.getClass().getSimpleName() + ")", true);
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return new Response(0, null, describe(error, timeout), false);
  }

  private static String describe(Throwable error, Duration timeout) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      if (root instanceof TimeoutException) {
        break;
      }
      root = root.getCause();
    }
    if (error instanceof TimeoutException || root instanceof TimeoutException) {
      return "timeout after " + timeout.toMillis() + " ms";
    }
    if (root instanceof ConnectException) {
      return "connection refused";
    }
    return "I/O error (" + root.getClass().getSimpleName() + ")";
  }

  static byte[] gzip(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, body.length / 4));
    try (GZIPOutputStream zip =
        new GZIPOutputStream(out, 8192) {
          {
            def.setLevel(Deflater.BEST_SPEED);
          }
        }) {
      zip.write(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
