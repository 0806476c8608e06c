package dev.durableeffect.tracker.http;

import dev.durableeffect.tracker.delivery.DeliveryEngine;
import dev.durableeffect.tracker.delivery.OutgoingBatch;
import dev.durableeffect.tracker.spool.SpoolConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * Settings of an {@link HttpBatchTracker}. Build one with {@link #builder()}; invalid values fail
 * {@link Builder#build()} with an {@link IllegalArgumentException} naming the setting and the value.
 * {@link #toString()} never shows header values.
 *
 * @param endpoint http or https URL the events are POSTed to; credentials in it ({@code
 *     https://user:password@host/...}) are sent as an {@code Authorization: Basic} header and
 *     removed from the URL
 * @param env environment added to every event
 * @param serviceKey service key added to every event
 * @param batchSize most events per request; a full batch is sent at once
 * @param flushInterval longest an accepted event waits before it is sent
 * @param headers extra request headers (for example an API key); may override Content-Type
 * @param maxAttempts requests made for one batch at most, the first included (1 turns retrying
 *     off), as in Spring Retry, Resilience4j and OpenTelemetry
 * @param initialDelay first backoff delay; doubles per retry, with full jitter
 * @param maxDelay cap of the backoff delay
 * @param maxQueueSize events held in memory at most, up to {@value #MAX_QUEUE_SIZE}; beyond it new
 *     events are dropped and counted
 * @param requestTimeout limit of one request, connect to last byte
 * @param compression how request bodies are encoded
 * @param maxBatchBytes largest request body (uncompressed); batches are split to stay under it
 * @param maxEventBytes largest single event; a larger one is dropped and counted
 * @param shutdownTimeout how long {@code close()} may spend draining
 * @param maxBatchSize most events per request while events back up (a request is in flight and
 *     more than {@code batchSize} wait): batches grow up to this many events (and {@code
 *     maxBatchBytes}), so one request in flight keeps up with a distant endpoint. Never less than
 *     {@code batchSize}; set it to {@code batchSize} to keep every request at that size
 * @param sslContext TLS settings (trust store, client certificate) of the tracker's own HTTP
 *     client; null uses the JVM's default trust store and no client certificate
 * @param proxy HTTP proxy for the tracker's requests; null applies the JVM's proxy system
 *     properties ({@code https.proxyHost}, {@code http.proxyHost}, {@code http.nonProxyHosts})
 * @param headerSupplier headers evaluated before every request, retries included (rotating
 *     tokens); they replace static headers of the same name; null when there are none
 * @param spool the disk spool that keeps accepted events across crashes and restarts; null keeps
 *     them in memory only
 */
public record HttpBatchTrackerConfig(
    URI endpoint,
    String env,
    String serviceKey,
    int batchSize,
    Duration flushInterval,
    Map<String, String> headers,
    int maxAttempts,
    Duration initialDelay,
    Duration maxDelay,
    int maxQueueSize,
    Duration requestTimeout,
    Compression compression,
    int maxBatchBytes,
    int maxEventBytes,
    Duration shutdownTimeout,
    int maxBatchSize,
    @Nullable SSLContext sslContext,
    @Nullable HttpProxy proxy,
    @Nullable Supplier<Map<String, String>> headerSupplier,
    @Nullable SpoolConfig spool) {

  /** Default {@code batchSize}. */
  public static final int DEFAULT_BATCH_SIZE = 100;
  /** Default {@code flushInterval}. */
  public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(5);
  /** Default {@code maxAttempts}: the first request and three retries. */
  public static final int DEFAULT_MAX_ATTEMPTS = 4;
  /** Default {@code initialDelay}. */
  public static final Duration DEFAULT_INITIAL_DELAY = Duration.ofSeconds(1);
  /** Default {@code maxDelay}. */
  public static final Duration DEFAULT_MAX_DELAY = Duration.ofSeconds(30);
  /** Default {@code maxQueueSize}. */
  public static final int DEFAULT_MAX_QUEUE_SIZE = 10_000;
  /** Largest {@code maxQueueSize}: the queue is a ring of references sized up to a power of two. */
  public static final int MAX_QUEUE_SIZE = DeliveryEngine.MAX_QUEUE_SIZE;
  /** Longest duration any setting takes (36,500 days): longer ones would overflow nanosecond clocks. */
  public static final Duration MAX_DURATION = Duration.ofDays(36_500);
  /** Default {@code requestTimeout}. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
  /** Default {@code compression}. */
  public static final Compression DEFAULT_COMPRESSION = Compression.GZIP;
  /** Default {@code maxBatchBytes}: 1 MiB. */
  public static final int DEFAULT_MAX_BATCH_BYTES = 1024 * 1024;
  /** Default {@code maxEventBytes}: 256 KiB. */
  public static final int DEFAULT_MAX_EVENT_BYTES = 256 * 1024;
  /** Default {@code maxBatchSize}. */
  public static final int DEFAULT_MAX_BATCH_SIZE = 2_000;
  /** Default {@code shutdownTimeout}. */
  public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

  /** Bytes of {@code {"events":[} and {@code ]}} around the events of a body. */
  static final int BODY_OVERHEAD = OutgoingBatch.BODY_OVERHEAD;

  /** Validates every setting; the exception names the setting and the bad value. */
  public HttpBatchTrackerConfig {
    requirePresent(endpoint, "endpoint");
    requirePresent(headers, "headers");
    if (endpoint.getRawUserInfo() != null) {
      headers = withBasicAuthorization(endpoint, headers);
      endpoint = withoutUserInfo(endpoint);
    }
    String scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || endpoint.getHost() == null) {
      throw invalid("endpoint", redact(endpoint), "an absolute http or https URL with a host");
    }
    requireText(env, "env");
    requireText(serviceKey, "serviceKey");
    requirePositive(batchSize, "batchSize");
    requirePositive(maxBatchSize, "maxBatchSize");
    maxBatchSize = Math.max(batchSize, maxBatchSize);
    requirePositive(flushInterval, "flushInterval");
    headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    for (Map.Entry<String, String> header : headers.entrySet()) {
      if (header.getKey() == null || header.getKey().isBlank() || !isToken(header.getKey())) {
        throw invalid("headers", "'" + header.getKey() + "'", "a header name (letters, digits, -)");
      }
      if (header.getValue() == null) {
        throw new InvalidSettingException("headers." + header.getKey(), null, "a header value");
      }
      if (!isHeaderValue(header.getValue())) {
        throw new InvalidSettingException(
            "headers." + header.getKey(),
            "(hidden)",
            "a header value of Latin-1 characters without control characters such as line breaks");
      }
    }
    if (maxAttempts < 1) {
      throw invalid("maxAttempts", maxAttempts, "1 or more (every request counts, the first included)");
    }
    requirePositive(initialDelay, "initialDelay");
    requirePositive(maxDelay, "maxDelay");
    if (maxDelay.compareTo(initialDelay) < 0) {
      throw invalid("maxDelay", maxDelay, "at least initialDelay (" + initialDelay + ")");
    }
    requirePositive(maxQueueSize, "maxQueueSize");
    if (maxQueueSize > MAX_QUEUE_SIZE) {
      throw invalid("maxQueueSize", maxQueueSize, "at most " + MAX_QUEUE_SIZE);
    }
    requirePositive(requestTimeout, "requestTimeout");
    requirePresent(compression, "compression");
    requirePositive(maxEventBytes, "maxEventBytes");
    requirePositive(maxBatchBytes, "maxBatchBytes");
    if (maxBatchBytes < maxEventBytes + BODY_OVERHEAD) {
      throw invalid(
          "maxBatchBytes",
          maxBatchBytes,
          "at least maxEventBytes + " + BODY_OVERHEAD + " (" + (maxEventBytes + BODY_OVERHEAD) + ")");
    }
    if (shutdownTimeout == null || shutdownTimeout.isNegative()) {
      throw invalid("shutdownTimeout", shutdownTimeout, "0 or more");
    }
    requireAtMostMax(flushInterval, "flushInterval");
    requireAtMostMax(initialDelay, "initialDelay");
    requireAtMostMax(maxDelay, "maxDelay");
    requireAtMostMax(requestTimeout, "requestTimeout");
    requireAtMostMax(shutdownTimeout, "shutdownTimeout");
  }

  private static void requireAtMostMax(Duration value, String setting) {
    if (value.compareTo(MAX_DURATION) > 0) {
      throw invalid(setting, value, "at most " + MAX_DURATION.toDays() + " days");
    }
  }

  /** Turns the URL's user info into {@code Authorization: Basic}; refuses a second Authorization. */
  private static Map<String, String> withBasicAuthorization(URI endpoint, Map<String, String> headers) {
    for (String name : headers.keySet()) {
      if (name != null && name.equalsIgnoreCase("Authorization")) {
        throw new InvalidSettingException(
            "endpoint",
            redact(endpoint),
            "credentials in the URL or an Authorization header, not both");
      }
    }
    String userInfo = endpoint.getUserInfo();
    String credentials = userInfo.contains(":") ? userInfo : userInfo + ":";
    Map<String, String> all = new LinkedHashMap<>(headers);
    all.put(
        "Authorization",
        "Basic "
            + java.util.Base64.getEncoder()
                .encodeToString(credentials.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    return all;
  }

  private static URI withoutUserInfo(URI endpoint) {
    String raw = endpoint.toString();
    String authority = endpoint.getRawAuthority();
    int at = authority.lastIndexOf('@');
    int start = raw.indexOf(authority);
    return URI.create(raw.substring(0, start) + authority.substring(at + 1) + raw.substring(start + authority.length()));
  }

  /** A value the HTTP client can send: Latin-1, no control characters but tab. */
  static boolean isHeaderValue(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0xff) {
        return false;
      }
    }
    return true;
  }

  /** A builder with every default set; {@code endpoint}, {@code env} and {@code serviceKey} are required. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this configuration's settings. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** The endpoint without credentials, query or fragment: safe to log and show. */
  public String redactedEndpoint() {
    return redact(endpoint);
  }

  /** Lists every setting; header names appear, header values never do. */
  @Override
  public String toString() {
    return "HttpBatchTrackerConfig[endpoint="
        + redactedEndpoint()
        + ", env="
        + env
        + ", serviceKey="
        + serviceKey
        + ", batchSize="
        + batchSize
        + ", flushInterval="
        + flushInterval
        + ", headers="
        + headers.keySet()
        + ", maxAttempts="
        + maxAttempts
        + ", initialDelay="
        + initialDelay
        + ", maxDelay="
        + maxDelay
        + ", maxQueueSize="
        + maxQueueSize
        + ", requestTimeout="
        + requestTimeout
        + ", compression="
        + compression
        + ", maxBatchBytes="
        + maxBatchBytes
        + ", maxEventBytes="
        + maxEventBytes
        + ", shutdownTimeout="
        + shutdownTimeout
        + ", maxBatchSize="
        + maxBatchSize
        + ", sslContext="
        + (sslContext == null ? "JVM default" : "custom")
        + ", proxy="
        + (proxy == null ? "JVM default" : proxy)
        + ", headerSupplier="
        + (headerSupplier == null ? "none" : "set")
        + ", spool="
        + (spool == null ? "none" : spool)
        + "]";
  }

  static String redact(@Nullable URI uri) {
    if (uri == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder();
    if (uri.getScheme() != null) {
      out.append(uri.getScheme()).append("://");
    }
    if (uri.getHost() != null) {
      out.append(uri.getHost());
      if (uri.getPort() >= 0) {
        out.append(':').append(uri.getPort());
      }
    }
    if (uri.getRawPath() != null) {
      out.append(uri.getRawPath());
    }
    return out.toString();
  }

  /** An HTTP header name (an RFC 9110 token). */
  static boolean isToken(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static InvalidSettingException invalid(String setting, @Nullable Object value, String valid) {
    return new InvalidSettingException(setting, String.valueOf(value), valid);
  }

  private static void requirePresent(@Nullable Object value, String setting) {
    if (value == null) {
      throw new InvalidSettingException(setting, null, "a value");
    }
  }

  private static void requireText(@Nullable String value, String setting) {
    requirePresent(value, setting);
    if (value.isBlank()) {
      throw invalid(setting, "'" + value + "'", "a non-blank value");
    }
  }

  private static void requirePositive(int value, String setting) {
    if (value <= 0) {
      throw invalid(setting, value, "a number greater than 0");
    }
  }

  private static void requirePositive(@Nullable Duration value, String setting) {
    requirePresent(value, setting);
    if (value.isNegative() || value.isZero()) {
      throw invalid(setting, value, "a duration greater than 0");
    }
  }

  /** Collects settings; every method is named after the setting it sets. */
  public static final class Builder {
    private @Nullable URI endpoint;
    private @Nullable String endpointText;
    private @Nullable String env;
    private @Nullable String serviceKey;
    private int batchSize = DEFAULT_BATCH_SIZE;
    private Duration flushInterval = DEFAULT_FLUSH_INTERVAL;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private Duration initialDelay = DEFAULT_INITIAL_DELAY;
    private Duration maxDelay = DEFAULT_MAX_DELAY;
    private int maxQueueSize = DEFAULT_MAX_QUEUE_SIZE;
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    private Compression compression = DEFAULT_COMPRESSION;
    private int maxBatchBytes = DEFAULT_MAX_BATCH_BYTES;
    private int maxEventBytes = DEFAULT_MAX_EVENT_BYTES;
    private Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;
    private int maxBatchSize = DEFAULT_MAX_BATCH_SIZE;
    private @Nullable SSLContext sslContext;
    private @Nullable HttpProxy proxy;
    private @Nullable Supplier<Map<String, String>> headerSupplier;
    private @Nullable SpoolConfig spool;

    private Builder() {}

    private Builder(HttpBatchTrackerConfig c) {
      endpoint = c.endpoint;
      env = c.env;
      serviceKey = c.serviceKey;
      batchSize = c.batchSize;
      flushInterval = c.flushInterval;
      headers.putAll(c.headers);
      maxAttempts = c.maxAttempts;
      initialDelay = c.initialDelay;
      maxDelay = c.maxDelay;
      maxQueueSize = c.maxQueueSize;
      requestTimeout = c.requestTimeout;
      compression = c.compression;
      maxBatchBytes = c.maxBatchBytes;
      maxEventBytes = c.maxEventBytes;
      shutdownTimeout = c.shutdownTimeout;
      maxBatchSize = c.maxBatchSize;
      sslContext = c.sslContext;
      proxy = c.proxy;
      headerSupplier = c.headerSupplier;
      spool = c.spool;
    }

    /** The http or https URL events are POSTed to; checked by {@link #build()}. */
    public Builder endpoint(String endpoint) {
      this.endpointText = Objects.requireNonNull(endpoint, "endpoint");
      this.endpoint = null;
      return this;
    }

    /** The http or https URL events are POSTed to. */
    public Builder endpoint(URI endpoint) {
      this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
      this.endpointText = null;
      return this;
    }

    /** The environment added to every event, for example {@code production}. */
    public Builder env(String env) {
      this.env = env;
      return this;
    }

    /** The key identifying this service, added to every event. */
    public Builder serviceKey(String serviceKey) {
      this.serviceKey = serviceKey;
      return this;
    }

    /** Most events per request (default {@value HttpBatchTrackerConfig#DEFAULT_BATCH_SIZE}). */
    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /** Longest an accepted event waits before it is sent (default {@link HttpBatchTrackerConfig#DEFAULT_FLUSH_INTERVAL}). */
    public Builder flushInterval(Duration flushInterval) {
      this.flushInterval = flushInterval;
      return this;
    }

    /** Adds one request header, replacing one of the same name. */
    public Builder header(String name, String value) {
      this.headers.put(name, value);
      return this;
    }

    /** Replaces all extra request headers. */
    public Builder headers(Map<String, String> headers) {
      this.headers.clear();
      this.headers.putAll(headers);
      return this;
    }

    /** Requests made for one batch at most, the first included (default {@value HttpBatchTrackerConfig#DEFAULT_MAX_ATTEMPTS}; 1 turns retrying off). */
    public Builder maxAttempts(int maxAttempts) {
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** First backoff delay (default {@link HttpBatchTrackerConfig#DEFAULT_INITIAL_DELAY}). */
    public Builder initialDelay(Duration initialDelay) {
      this.initialDelay = initialDelay;
      return this;
    }

    /** Cap of the backoff delay (default {@link HttpBatchTrackerConfig#DEFAULT_MAX_DELAY}). */
    public Builder maxDelay(Duration maxDelay) {
      this.maxDelay = maxDelay;
      return this;
    }

    /** Events held in memory at most (default {@value HttpBatchTrackerConfig#DEFAULT_MAX_QUEUE_SIZE}; at most {@value HttpBatchTrackerConfig#MAX_QUEUE_SIZE}). */
    public Builder maxQueueSize(int maxQueueSize) {
      this.maxQueueSize = maxQueueSize;
      return this;
    }

    /** Limit of one request, connect to last byte (default {@link HttpBatchTrackerConfig#DEFAULT_REQUEST_TIMEOUT}). */
    public Builder requestTimeout(Duration requestTimeout) {
      this.requestTimeout = requestTimeout;
      return this;
    }

    /** Body encoding (default {@link HttpBatchTrackerConfig#DEFAULT_COMPRESSION}). */
    public Builder compression(Compression compression) {
      this.compression = compression;
      return this;
    }

    /** Largest uncompressed request body in bytes (default {@value HttpBatchTrackerConfig#DEFAULT_MAX_BATCH_BYTES}). */
    public Builder maxBatchBytes(int maxBatchBytes) {
      this.maxBatchBytes = maxBatchBytes;
      return this;
    }

    /** Largest single event in bytes (default {@value HttpBatchTrackerConfig#DEFAULT_MAX_EVENT_BYTES}). */
    public Builder maxEventBytes(int maxEventBytes) {
      this.maxEventBytes = maxEventBytes;
      return this;
    }

    /**
     * Most events per request while events back up (default {@value
     * HttpBatchTrackerConfig#DEFAULT_MAX_BATCH_SIZE}; never less than {@code batchSize}). Set it to
     * {@code batchSize} if the endpoint limits the number of events per request.
     */
    public Builder maxBatchSize(int maxBatchSize) {
      this.maxBatchSize = maxBatchSize;
      return this;
    }

    /** How long {@code close()} may spend draining (default {@link HttpBatchTrackerConfig#DEFAULT_SHUTDOWN_TIMEOUT}). */
    public Builder shutdownTimeout(Duration shutdownTimeout) {
      this.shutdownTimeout = shutdownTimeout;
      return this;
    }

    /**
     * TLS settings of the tracker's own HTTP client: a trust store for a private CA or a
     * self-signed endpoint, a client certificate for mutual TLS. Default (null): the JVM's trust
     * store, no client certificate.
     */
    public Builder sslContext(@Nullable SSLContext sslContext) {
      this.sslContext = sslContext;
      return this;
    }

    /**
     * The HTTP proxy requests go through. Default (null): the JVM's proxy system properties
     * ({@code https.proxyHost}, {@code http.proxyHost}, {@code http.nonProxyHosts}), as for any
     * JDK {@code HttpClient}.
     */
    public Builder proxy(@Nullable HttpProxy proxy) {
      this.proxy = proxy;
      return this;
    }

    /**
     * Headers that change, such as a rotating token: called on the tracker's sender thread before
     * every request, retries included, so keep it fast (return a cached token). Its headers replace
     * static headers of the same name; {@code Content-Encoding} and {@code Idempotency-Key} stay
     * the tracker's. If it throws, that request counts as failed (status 0) and is retried like an
     * I/O error, with a rate-limited warning naming the exception class; if it returns an invalid
     * header (bad name, control character in a value), the request fails as a configuration error.
     * Null or an empty map adds nothing.
     */
    public Builder headers(@Nullable Supplier<Map<String, String>> headers) {
      this.headerSupplier = headers;
      return this;
    }

    /**
     * Writes every accepted event to a disk spool before sending it, so that what is not delivered
     * survives a crash (even SIGKILL) or a restart and is sent after the next start on the same
     * directory (at-least-once). With a spool, retryable failures are retried until delivery,
     * eviction ({@code maxBytes}) or expiry ({@code maxAge}) instead of {@code maxAttempts} times,
     * and {@code close()} leaves what it could not deliver in the spool. Default (null): memory only.
     */
    public Builder spool(@Nullable SpoolConfig spool) {
      this.spool = spool;
      return this;
    }

    /** Validates and builds; the exception names the setting and the bad value. */
    public HttpBatchTrackerConfig build() {
      URI uri = endpoint;
      if (endpointText != null) {
        try {
          uri = new URI(endpointText.strip());
        } catch (URISyntaxException e) {
          throw new InvalidSettingException(
              "endpoint",
              "'" + redactText(endpointText) + "'",
              "an absolute http or https URL with a host");
        }
      }
      return new HttpBatchTrackerConfig(
          uri,
          env,
          serviceKey,
          batchSize,
          flushInterval,
          headers,
          maxAttempts,
          initialDelay,
          maxDelay,
          maxQueueSize,
          requestTimeout,
          compression,
          maxBatchBytes,
          maxEventBytes,
          shutdownTimeout,
          maxBatchSize,
          sslContext,
          proxy,
          headerSupplier,
          spool);
    }

    /** Strips anything after '?' and any user-info so a bad URL can be shown. */
    private static String redactText(String text) {
      String noQuery = text.split("[?#]", 2)[0];
      int at = noQuery.lastIndexOf('@');
      int scheme = noQuery.indexOf("://");
      return at > scheme && scheme >= 0
          ? noQuery.substring(0, scheme + 3) + "***@" + noQuery.substring(at + 1)
          : noQuery;
    }
  }
}
