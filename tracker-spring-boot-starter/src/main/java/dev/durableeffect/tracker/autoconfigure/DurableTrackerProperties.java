package dev.durableeffect.tracker.autoconfigure;

import dev.durableeffect.tracker.http.Compression;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The {@code durable.tracker.*} properties.
 *
 * @param enabled Whether to configure a tracker at all; false leaves EventTracking a no-op.
 * @param type Which tracker to use: http, noop, in-memory or kafka. Default: http when an endpoint is
 *     set, otherwise noop.
 * @param endpoint http or https URL events are POSTed to; required for the http tracker.
 * @param env Environment added to every event. Default: the first active profile, else "default".
 * @param serviceKey Key identifying this service, added to every event. Default:
 *     spring.application.name.
 * @param batchSize Most events per request; a full batch is sent at once.
 * @param flushInterval Longest an accepted event waits before it is sent.
 * @param headers Extra request headers, for example an API key. Values are never logged or shown.
 * @param retry Retry of failed requests.
 * @param maxQueueSize Events held in memory at most; beyond that new events are dropped and counted.
 * @param requestTimeout Limit of one request, connect to last byte.
 * @param compression Request body encoding: gzip or none.
 * @param maxBatchBytes Largest uncompressed request body; batches are split to stay under it.
 * @param maxEventBytes Largest single event; a larger one is dropped and counted.
 * @param shutdownTimeout How long shutdown may spend delivering what is pending.
 * @param health How the Actuator health indicator judges delivery.
 * @param maxBatchSize Most events per request while events back up behind a request in flight;
 *     never less than batch-size. Set it to batch-size if the endpoint limits events per request.
 * @param ssl TLS of the tracker's own HTTP client.
 * @param proxy HTTP proxy for the tracker's requests.
 * @param spool Disk spool that keeps accepted events across crashes and restarts.
 * @param kafka The Kafka output (durable.tracker.type=kafka).
 */
@ConfigurationProperties("durable.tracker")
public record DurableTrackerProperties(
    @DefaultValue("true") boolean enabled,
    @Nullable TrackerType type,
    @Nullable String endpoint,
    @Nullable String env,
    @Nullable String serviceKey,
    @DefaultValue("100") int batchSize,
    @DefaultValue("5s") Duration flushInterval,
    @Nullable Map<String, String> headers,
    @DefaultValue Retry retry,
    @DefaultValue("10000") int maxQueueSize,
    @DefaultValue("10s") Duration requestTimeout,
    @DefaultValue("gzip") Compression compression,
    @DefaultValue("1MB") DataSize maxBatchBytes,
    @DefaultValue("256KB") DataSize maxEventBytes,
    @DefaultValue("10s") Duration shutdownTimeout,
    @DefaultValue Health health,
    @DefaultValue("2000") int maxBatchSize,
    @DefaultValue Ssl ssl,
    @DefaultValue Proxy proxy,
    @DefaultValue Spool spool,
    @DefaultValue Kafka kafka) {

  /** Headers never null. */
  public DurableTrackerProperties {
    headers = headers == null ? Map.of() : Map.copyOf(headers);
  }

  /** Lists the settings; header names appear, header values and the proxy password never do. */
  @Override
  public String toString() {
    return "DurableTrackerProperties[enabled=" + enabled + ", type=" + type + ", env=" + env
        + ", serviceKey=" + serviceKey + ", headers=" + headers.keySet() + ", ssl=" + ssl
        + ", proxy=" + proxy + ", spool=" + spool + ", kafka=" + kafka + "]";
  }

  /**
   * The Kafka output: one record per event, keyed by workflowId. Needs the tracker-kafka module.
   *
   * @param topic Topic the events are published to.
   * @param bootstrapServers Kafka bootstrap servers, host:port pairs. Default:
   *     spring.kafka.bootstrap-servers.
   * @param properties Kafka producer properties, passed to the tracker's own producer (security,
   *     SASL and SSL settings go here); they win over the tracker's defaults. Values whose names
   *     suggest a secret are never logged or shown.
   */
  public record Kafka(
      @DefaultValue("durable-tracker-events") String topic,
      @Nullable List<String> bootstrapServers,
      @Nullable Map<String, String> properties) {

    /** Properties never null. */
    public Kafka {
      properties = properties == null ? Map.of() : Map.copyOf(properties);
    }

    /** Lists the settings; producer property names appear, their values never do. */
    @Override
    public String toString() {
      return "Kafka[topic=" + topic + ", bootstrapServers=" + bootstrapServers + ", properties="
          + properties.keySet() + "]";
    }
  }

  /**
   * Disk spool: every accepted event is written to segment files in the directory before it is
   * sent, and what is not delivered is sent after the next start (at-least-once), even after a
   * crash. Setting the directory turns it on.
   *
   * @param directory Directory of the spool files, one process per directory. Use a persistent
   *     volume: a Kubernetes emptyDir does not survive the pod's deletion.
   * @param maxSize Disk space the spool takes at most; over it the oldest events are evicted
   *     (counted SPOOL_FULL).
   * @param maxAge Events older than this are dropped (counted EXPIRED) instead of sent.
   * @param syncInterval How often written events are forced to disk (fsync); 0 forces every write.
   *     Events survive a process crash as soon as they are written, a power loss after this.
   */
  public record Spool(
      @Nullable Path directory,
      @DefaultValue("256MB") DataSize maxSize,
      @DefaultValue("7d") Duration maxAge,
      @DefaultValue("1s") Duration syncInterval) {}

  /**
   * TLS of the tracker's own HTTP client.
   *
   * @param bundle Name of the SSL bundle (spring.ssl.bundle.jks.* or spring.ssl.bundle.pem.*) with
   *     the trust store for the endpoint's certificate and, for mutual TLS, the client certificate.
   *     Default: the JVM's trust store, no client certificate.
   */
  public record Ssl(@Nullable String bundle) {}

  /**
   * HTTP proxy for the tracker's requests. Without a host, the JVM's proxy system properties apply
   * (https.proxyHost, http.proxyHost, http.nonProxyHosts).
   *
   * @param host Proxy host name or address.
   * @param port Proxy port; required with a host.
   * @param username User name for the proxy, sent as Basic credentials to the proxy only.
   * @param password Password for the proxy. Never logged or shown.
   * @param nonProxyHosts Hosts reached directly: exact names or patterns with * at the start or end,
   *     such as *.internal or 10.*.
   */
  public record Proxy(
      @Nullable String host,
      @Nullable Integer port,
      @Nullable String username,
      @Nullable String password,
      @Nullable List<String> nonProxyHosts) {

    /** Lists the settings; the password shows as *** when set. */
    @Override
    public String toString() {
      return "Proxy[host=" + host + ", port=" + port + ", username=" + username + ", password="
          + (password == null ? "null" : "***") + ", nonProxyHosts=" + nonProxyHosts + "]";
    }
  }

  /**
   * How the health indicator judges delivery.
   *
   * @param failingAfter How long no request may succeed, while events wait, before health reports
   *     failing-status.
   * @param failingStatus The status reported then, for example DOWN or OUT_OF_SERVICE.
   */
  public record Health(
      @DefaultValue("1m") Duration failingAfter, @DefaultValue("DOWN") String failingStatus) {}

  /**
   * Retry of failed requests: exponential backoff with full jitter.
   *
   * @param maxAttempts Requests made for one batch at most, the first included; 1 turns retrying
   *     off. The default 4 is the first request and three retries.
   * @param initialDelay First backoff delay; doubles with each retry.
   * @param maxDelay Cap of the backoff delay.
   */
  public record Retry(
      @DefaultValue("4") int maxAttempts,
      @DefaultValue("1s") Duration initialDelay,
      @DefaultValue("30s") Duration maxDelay) {}
}
