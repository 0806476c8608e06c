package dev.durableeffect.tracker.http;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the tracker's own {@link HttpClient}: never the application's, so none of its default
 * headers, filters or observation reach a tracking endpoint. The tracker's settings are applied
 * first, then the customizer, which may change any of them:
 *
 * <ul>
 *   <li>HTTP/1.1 (one request in flight needs no multiplexing, and no {@code h2c} upgrade is
 *       attempted on plain HTTP), redirects not followed (a redirected POST could carry headers to
 *       another host);
 *   <li>connect timeout: {@code requestTimeout};
 *   <li>TLS: {@code sslContext} when set, else the JVM's default trust store;
 *   <li>proxy: {@code proxy} when set, else the JVM's default proxy selector (the {@code
 *       http.proxyHost}, {@code https.proxyHost} and {@code http.nonProxyHosts} system properties).
 * </ul>
 */
final class TrackerHttpClient {

  private static final Logger LOGGER = LoggerFactory.getLogger(HttpBatchTracker.class);

  private TrackerHttpClient() {}

  static HttpClient build(HttpBatchTrackerConfig config, Consumer<HttpClient.Builder> customizer) {
    HttpClient.Builder builder =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(config.requestTimeout());
    if (config.sslContext() != null) {
      builder.sslContext(config.sslContext());
    }
    HttpProxy proxy = config.proxy();
    if (proxy != null) {
      builder.proxy(new Selector(proxy));
      warnIfTunnelCredentialsAreRefused(proxy, config.endpoint());
    }
    customizer.accept(builder);
    return builder.build();
  }

  /**
   * Releases the client's threads and connections at once where the JDK can (Java 21 added {@code
   * HttpClient.shutdownNow()}); on Java 17 they go when the client is no longer referenced.
   */
  static void close(HttpClient client) {
    try {
      Method shutdownNow = HttpClient.class.getMethod("shutdownNow");
      shutdownNow.invoke(client);
    } catch (NoSuchMethodException e) {
      // Java 17 to 20: nothing to call.
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOGGER.debug("durable-tracker: could not shut the HTTP client down", e);
    }
  }

  /**
   * The JDK does not send Basic credentials on an HTTPS tunnel while {@code
   * jdk.http.auth.tunneling.disabledSchemes} lists Basic, which it does by default.
   */
  private static void warnIfTunnelCredentialsAreRefused(HttpProxy proxy, URI endpoint) {
    if (proxy.username() == null
        || !"https".equalsIgnoreCase(endpoint.getScheme())
        || proxy.bypasses(endpoint.getHost())) {
      return;
    }
    String disabled = System.getProperty("jdk.http.auth.tunneling.disabledSchemes", "Basic");
    for (String scheme : disabled.split(",")) {
      if (scheme.strip().equalsIgnoreCase("basic")) {
        LOGGER.warn(
            "durable-tracker: the proxy credentials will not be sent: the endpoint is https and the JDK"
                + " refuses Basic credentials on HTTPS tunnels by default; start the JVM with"
                + " -Djdk.http.auth.tunneling.disabledSchemes= to allow them");
        return;
      }
    }
  }

  /** Sends every request through the proxy, except to hosts the proxy's bypass list names. */
  static final class Selector extends ProxySelector {

    private final HttpProxy proxy;
    private final List<Proxy> through;

    Selector(HttpProxy proxy) {
      this.proxy = proxy;
      this.through = List.of(new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(proxy.host(), proxy.port())));
    }

    @Override
    public List<Proxy> select(URI uri) {
      String host = uri.getHost();
      return host != null && proxy.bypasses(host.toLowerCase(Locale.ROOT)) ? List.of(Proxy.NO_PROXY) : through;
    }

    @Override
    public void connectFailed(URI uri, SocketAddress address, IOException error) {
      // The request fails and is retried as any I/O error; there is no other proxy to try.
    }
  }
}
