package dev.durableeffect.tracker.http;

import dev.durableeffect.tracker.RateLimitedLog;
import dev.durableeffect.tracker.RateLimitedLog.Level;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/**
 * POSTs one body through the tracker's own JDK {@link HttpClient} and reports the answer; never
 * fails: an I/O error, a timeout or a request that could not be made is status 0.
 *
 * <p>Headers of a request, later ones replacing earlier ones of the same name: {@code
 * Content-Type: application/json} and {@code User-Agent}; the configured static headers; the
 * configured header supplier's headers, evaluated for every request including retries; then,
 * fixed, {@code Content-Encoding} (when compressing), {@code Idempotency-Key}, and {@code
 * Proxy-Authorization} when the proxy has credentials (the JDK sends it to the proxy only).
 */
final class HttpSender {

  /**
   * The answer to one request.
   *
   * @param status the HTTP status, or 0 when there was no answer (I/O error, timeout, or a request
   *     that could not be made)
   * @param retryAfter the {@code Retry-After} header, if any
   * @param failure why there was no answer (status 0): a short text without secrets or payloads
   * @param permanent true when retrying cannot help because the failure is a configuration error:
   *     a TLS handshake that failed on a certificate or a refusal by the peer (untrusted or expired
   *     certificate, host name mismatch, client certificate refused, no common protocol), or a
   *     request header the client cannot send. Always false when {@code status} is not 0; a
   *     handshake cut short by a dropped connection is not permanent.
   */
  record Response(int status, @Nullable String retryAfter, @Nullable String failure, boolean permanent) {

    /** An answer that retrying may change. */
    Response(int status, @Nullable String retryAfter, @Nullable String failure) {
      this(status, retryAfter, failure, false);
    }

    /** A short text for logs and health: the status or the error, never a payload. */
    String describe() {
      return status == 0 ? String.valueOf(failure) : "HTTP " + status;
    }
  }

  /** Completes a request's answer when its timeout passes first. */
  private static final Response TIMED_OUT = new Response(0, null, "timed out");
  private static final AtomicInteger THREADS = new AtomicInteger();

  /** Headers the JDK client refuses to take from a caller. */
  private static final Set<String> RESTRICTED = caseInsensitive("Connection", "Content-Length", "Expect", "Host", "Upgrade");

  private final HttpClient client;
  private final URI endpoint;
  private final Map<String, String> headers;
  private final @Nullable Supplier<Map<String, String>> headerSupplier;
  private final Map<String, String> fixedHeaders;
  private final @Nullable String headerProblem;
  private final boolean gzip;
  private final RateLimitedLog log =
      new RateLimitedLog(LoggerFactory.getLogger(HttpBatchTracker.class), Duration.ofSeconds(30));
  /** Runs the blocking exchanges: one thread per request in flight, gone after a minute idle. */
  private final ExecutorService calls =
      new ThreadPoolExecutor(
          0,
          Integer.MAX_VALUE,
          1,
          TimeUnit.MINUTES,
          new SynchronousQueue<>(),
          runnable -> {
            Thread thread = new Thread(runnable, "durable-tracker-http-" + THREADS.incrementAndGet());
            thread.setDaemon(true);
            return thread;
          });

  HttpSender(HttpClient client, HttpBatchTrackerConfig config, String userAgent) {
    this.client = client;
    this.endpoint = config.endpoint();
    this.gzip = config.compression() == Compression.GZIP;
    this.headerSupplier = config.headerSupplier();
    Map<String, String> all = new LinkedHashMap<>();
    all.put("Content-Type", "application/json");
    all.put("User-Agent", userAgent);
    all.putAll(config.headers());
    // In order: a configured Content-Type or User-Agent replaces the default when set after it.
    this.headers = Collections.unmodifiableMap(all);
    this.headerProblem = problem(headers);
    Map<String, String> fixed = new LinkedHashMap<>();
    if (gzip) {
      fixed.put("Content-Encoding", "gzip");
    }
    HttpProxy proxy = config.proxy();
    if (proxy != null && proxy.username() != null) {
      String credentials = proxy.username() + ":" + proxy.password();
      fixed.put(
          "Proxy-Authorization",
          "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
    }
    this.fixedHeaders = Map.copyOf(fixed);
  }

  /** The body as it goes on the wire: gzipped when compression is on. */
  byte[] encode(byte[] body) {
    return gzip ? gzip(body) : body;
  }

  /**
   * Sends an {@link #encode encoded} body; the future always completes normally, within {@code
   * timeout} (connect to last byte) plus scheduling delay.
   */
  CompletableFuture<Response> send(byte[] payload, String idempotencyKey, Duration timeout) {
    if (headerProblem != null) {
      return CompletableFuture.completedFuture(new Response(0, null, headerProblem, true));
    }
    if (timeout.isNegative() || timeout.isZero()) {
      return CompletableFuture.completedFuture(new Response(0, null, "timeout after 0 ms"));
    }
    HttpRequest.Builder request;
    try {
      request = HttpRequest.newBuilder(endpoint).timeout(timeout).POST(HttpRequest.BodyPublishers.ofByteArray(payload));
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(failure(e, timeout));
    }
    headers.forEach(request::setHeader);
    if (headerSupplier != null) {
      Map<String, String> supplied;
      try {
        Map<String, String> map = headerSupplier.get();
        supplied = map == null ? Map.of() : new LinkedHashMap<>(map);
      } catch (Throwable e) {
        // User code: whatever it throws, this request fails and is retried; delivery goes on.
        String failure = "request header supplier failed (" + e.getClass().getName() + ")";
        log.log(
            Level.WARN,
            "header-supplier",
            0,
            "durable-tracker: " + failure + "; the request counts as failed and is retried like an I/O error");
        return CompletableFuture.completedFuture(new Response(0, null, failure, false));
      }
      String problem = problem(supplied);
      if (problem != null) {
        return CompletableFuture.completedFuture(new Response(0, null, "header supplier: " + problem, true));
      }
      supplied.forEach(request::setHeader);
    }
    fixedHeaders.forEach(request::setHeader);
    request.setHeader("Idempotency-Key", idempotencyKey);
    HttpRequest built;
    try {
      built = request.build();
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(failure(e, timeout));
    }
    CompletableFuture<Response> answer = new CompletableFuture<>();
    Future<?> call;
    try {
      call = calls.submit(() -> answer.complete(exchange(built, timeout)));
    } catch (RejectedExecutionException e) {
      return CompletableFuture.completedFuture(new Response(0, null, "sender closed"));
    }
    // The request's own timeout bounds connect and headers; this one the whole exchange.
    // Interrupting the call makes the client abort the exchange.
    CompletableFuture<Response> result =
        answer
            .completeOnTimeout(TIMED_OUT, timeout.toNanos(), TimeUnit.NANOSECONDS)
            .thenApply(
                response -> {
                  if (response != TIMED_OUT) {
                    return response;
                  }
                  call.cancel(true);
                  return failure(new TimeoutException(), timeout);
                });
    // Cancelling a dependent stage does not reach its source: a request the engine gives up
    // (Lane.forget) is aborted here, not left running until its timeout.
    result.whenComplete(
        (response, error) -> {
          if (error instanceof CancellationException) {
            call.cancel(true);
          }
        });
    return result;
  }

  /**
   * One blocking exchange, on a thread of {@link #calls}. The JDK client's blocking {@code send}
   * costs less per request than {@code sendAsync} (measured on loopback: about 0.3 ms against 1 to
   * 1.5 ms): the asynchronous path hands the response to more threads before completing.
   */
  private Response exchange(HttpRequest request, Duration timeout) {
    try {
      HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
      return new Response(response.statusCode(), response.headers().firstValue("Retry-After").orElse(null), null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Response(0, null, "request cancelled");
    } catch (IOException | RuntimeException e) {
      return failure(e, timeout);
    }
  }

  /** Stops the request threads; a request still running is aborted. */
  void close() {
    calls.shutdownNow();
  }

  /** What went wrong, classified; messages are the JDK's, never a header value or a payload. */
  static Response failure(Throwable error, Duration timeout) {
    Throwable cause = unwrap(error);
    if (cause instanceof TimeoutException || cause instanceof HttpTimeoutException) {
      return new Response(0, null, "timeout after " + timeout.toMillis() + " ms");
    }
    Throwable tls = tlsConfigurationError(cause);
    if (tls != null) {
      return new Response(
          0,
          null,
          "TLS handshake failed: "
              + tls.getMessage()
              + " (check the trust store and client certificate: sslContext, or durable.tracker.ssl.bundle in Spring Boot)",
          true);
    }
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root instanceof ConnectException) {
      return new Response(0, null, "connection refused");
    }
    if (cause instanceof IllegalArgumentException) {
      return new Response(0, null, "request rejected by the HTTP client (" + cause.getClass().getSimpleName() + ")", true);
    }
    return new Response(0, null, "I/O error (" + root.getClass().getSimpleName() + ")");
  }

  /**
   * The exception that makes a TLS failure a configuration error, or null. A handshake that ends
   * because the connection dropped ({@code EOFException}, {@code SocketException} underneath) is
   * an I/O error like any other and may succeed later.
   */
  private static @Nullable Throwable tlsConfigurationError(Throwable error) {
    Throwable handshake = null;
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof EOFException || t instanceof SocketException) {
        return null;
      }
      if (t instanceof CertificateException
          || t instanceof CertPathBuilderException
          || t instanceof CertPathValidatorException
          || t instanceof SSLPeerUnverifiedException) {
        return handshake != null ? handshake : t;
      }
      if (handshake == null && (t instanceof SSLHandshakeException || isFatalAlert(t))) {
        handshake = t;
      }
    }
    return handshake;
  }

  /** The peer ended the handshake on purpose: an unknown CA, a refused client certificate, ... */
  private static boolean isFatalAlert(Throwable t) {
    return t instanceof SSLException && t.getMessage() != null && t.getMessage().startsWith("Received fatal alert");
  }

  private static Throwable unwrap(Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** Why these headers cannot be sent, naming the header but never its value; null when fine. */
  static @Nullable String problem(Map<String, String> headers) {
    for (Map.Entry<String, String> header : headers.entrySet()) {
      String name = header.getKey();
      if (name == null || !HttpBatchTrackerConfig.isToken(name)) {
        return "invalid request header name '" + printable(name) + "'";
      }
      if (RESTRICTED.contains(name)) {
        return "request header '" + name + "' is set by the HTTP client and cannot be configured";
      }
      String value = header.getValue();
      if (value == null) {
        return "request header '" + name + "' has no value";
      }
      if (!HttpBatchTrackerConfig.isHeaderValue(value)) {
        return "request header '" + name + "' has a control or non-Latin-1 character in its value";
      }
    }
    return null;
  }

  private static String printable(@Nullable String name) {
    if (name == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < Math.min(64, name.length()); i++) {
      char c = name.charAt(i);
      out.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return out.toString();
  }

  private static Set<String> caseInsensitive(String... names) {
    Set<String> set = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    set.addAll(List.of(names));
    return set;
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
