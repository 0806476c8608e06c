package dev.durableeffect.tracker.http;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.serviceUnavailable;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.durableeffect.tracker.http.Sink.assertAccounted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.durableeffect.tracker.TestEvents;
import dev.durableeffect.tracker.testing.CountingProxy;
import dev.durableeffect.tracker.testing.TestCertificates;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/** The tracker's own HTTP client: TLS, proxies, per-request headers and the customizer, on loopback. */
class TrackerHttpClientTest {

  private static final TestCertificates CERTS = TestCertificates.get();

  @RegisterExtension
  static WireMockExtension server = WireMockExtension.newInstance().options(CERTS.httpsServer()).build();

  @RegisterExtension
  static WireMockExtension mutualTls =
      WireMockExtension.newInstance().options(CERTS.mutualTlsServer()).build();

  private final List<AutoCloseable> resources = new ArrayList<>();

  @BeforeEach
  void healthyEndpoints() {
    server.stubFor(post(urlEqualTo("/ingest")).willReturn(ok()));
    mutualTls.stubFor(post(urlEqualTo("/ingest")).willReturn(ok()));
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable resource : resources) {
      resource.close();
      if (resource instanceof HttpBatchTracker tracker) {
        assertAccounted(tracker);
      }
    }
  }

  private HttpBatchTrackerConfig.Builder config(String endpoint) {
    return HttpBatchTrackerConfig.builder()
        .endpoint(endpoint)
        .env("test")
        .serviceKey("orders")
        .compression(Compression.NONE)
        .batchSize(1)
        .maxBatchSize(1)
        .initialDelay(Duration.ofMillis(10))
        .maxDelay(Duration.ofMillis(20))
        .requestTimeout(Duration.ofSeconds(5))
        .shutdownTimeout(Duration.ofSeconds(5));
  }

  private HttpBatchTracker tracker(HttpBatchTrackerConfig.Builder config) {
    return tracker(config, builder -> {});
  }

  private HttpBatchTracker tracker(HttpBatchTrackerConfig.Builder config, Consumer<HttpClient.Builder> customizer) {
    HttpBatchTracker tracker = HttpBatchTracker.create(config.build(), customizer);
    resources.add(tracker);
    return tracker;
  }

  private CountingProxy proxy(int upstreamPort) {
    CountingProxy proxy = CountingProxy.to(upstreamPort);
    resources.add(proxy);
    return proxy;
  }

  private HttpSender.Response sendOnce(HttpBatchTrackerConfig config) {
    HttpClient client = TrackerHttpClient.build(config, builder -> {});
    HttpSender sender = new HttpSender(client, config, "test");
    try {
      return sender.send("{\"events\":[]}".getBytes(StandardCharsets.UTF_8), "key-1", Duration.ofSeconds(5)).join();
    } finally {
      sender.close();
      TrackerHttpClient.close(client);
    }
  }

  private static void deliver(HttpBatchTracker tracker, int events) {
    for (int i = 0; i < events; i++) {
      tracker.emit(TestEvents.numbered(i));
    }
    assertThat(tracker.flush(Duration.ofSeconds(10))).isTrue();
  }

  private static String httpUrl() {
    return "http://localhost:" + server.getPort() + "/ingest";
  }

  private static String httpsUrl(WireMockExtension wireMock) {
    return "https://localhost:" + wireMock.getRuntimeInfo().getHttpsPort() + "/ingest";
  }

  @Test
  void reachesASelfSignedEndpointThroughTheConfiguredSslContext() {
    HttpBatchTracker tracker = tracker(config(httpsUrl(server)).sslContext(CERTS.clientContext(false)));

    deliver(tracker, 3);

    assertThat(tracker.stats().delivered()).isEqualTo(3);
    assertThat(server.findAll(postRequestedFor(urlEqualTo("/ingest")))).hasSize(3);
  }

  @Test
  void anUntrustedCertificateIsAPermanentFailureThatSaysWhatToConfigure() {
    HttpSender.Response response = sendOnce(config(httpsUrl(server)).build());

    assertThat(response.status()).isZero();
    assertThat(response.permanent()).isTrue();
    assertThat(response.failure())
        .startsWith("TLS handshake failed: ")
        .contains("PKIX path building failed")
        .contains("sslContext", "durable.tracker.ssl.bundle");
    assertThat(server.getAllServeEvents()).isEmpty();
  }

  @Test
  void aCertificateForAnotherHostIsAPermanentFailure() {
    String otherName = "https://127.0.0.2:" + server.getRuntimeInfo().getHttpsPort() + "/ingest";

    HttpSender.Response response = sendOnce(config(otherName).sslContext(CERTS.clientContext(false)).build());

    assertThat(response.permanent()).isTrue();
    assertThat(response.failure()).startsWith("TLS handshake failed: ").contains("127.0.0.2");
  }

  @Test
  void presentsTheClientCertificateToAServerThatRequiresOne() {
    HttpBatchTracker tracker = tracker(config(httpsUrl(mutualTls)).sslContext(CERTS.clientContext(true)));

    deliver(tracker, 2);

    assertThat(tracker.stats().delivered()).isEqualTo(2);
  }

  @Test
  void aServerRefusingTheMissingClientCertificateIsAPermanentFailure() {
    HttpSender.Response response = sendOnce(config(httpsUrl(mutualTls)).sslContext(CERTS.clientContext(false)).build());

    assertThat(response.status()).isZero();
    assertThat(response.permanent()).as(response.failure()).isTrue();
    assertThat(response.failure()).startsWith("TLS handshake failed: ");
  }

  @Test
  void aRefusedConnectionOrATimeoutIsNotPermanent() {
    assertThat(HttpSender.failure(new java.net.ConnectException(), Duration.ofSeconds(1)))
        .isEqualTo(new HttpSender.Response(0, null, "connection refused", false));
    assertThat(HttpSender.failure(new java.net.http.HttpTimeoutException("request timed out"), Duration.ofSeconds(1)))
        .isEqualTo(new HttpSender.Response(0, null, "timeout after 1000 ms", false));
    javax.net.ssl.SSLHandshakeException dropped =
        new javax.net.ssl.SSLHandshakeException("Remote host terminated the handshake");
    dropped.initCause(new java.io.EOFException("SSL peer shut down incorrectly"));
    assertThat(HttpSender.failure(dropped, Duration.ofSeconds(1)).permanent()).isFalse();
  }

  @Test
  void sendsThroughTheConfiguredProxyWithCredentialsForTheProxyOnly() {
    CountingProxy proxy = proxy(server.getPort()).requireCredentials("tracker", "proxy-secret");
    HttpBatchTracker tracker =
        tracker(
            config("http://tracking.invalid/ingest")
                .proxy(HttpProxy.of("127.0.0.1", proxy.port()).withCredentials("tracker", "proxy-secret")));

    deliver(tracker, 3);

    assertThat(tracker.stats().delivered()).isEqualTo(3);
    assertThat(proxy.forwarded()).isEqualTo(3);
    assertThat(proxy.refused()).isZero();
    assertThat(proxy.targets()).containsOnly("http://tracking.invalid/ingest");
    assertThat(proxy.authorizations())
        .containsOnly("Basic " + Base64.getEncoder().encodeToString("tracker:proxy-secret".getBytes(StandardCharsets.UTF_8)));
    List<LoggedRequest> received = server.findAll(postRequestedFor(urlEqualTo("/ingest")));
    assertThat(received).hasSize(3);
    assertThat(received).allSatisfy(r -> {
      assertThat(r.containsHeader("Proxy-Authorization")).isFalse();
      assertThat(r.getHeader("Via")).isEqualTo("1.1 counting-proxy");
    });
  }

  @Test
  void tunnelsHttpsThroughTheProxy() {
    CountingProxy proxy = proxy(server.getRuntimeInfo().getHttpsPort());
    HttpBatchTracker tracker =
        tracker(
            config(httpsUrl(server))
                .sslContext(CERTS.clientContext(false))
                .proxy(HttpProxy.of("127.0.0.1", proxy.port())));

    deliver(tracker, 2);

    assertThat(tracker.stats().delivered()).isEqualTo(2);
    assertThat(proxy.tunnels()).isPositive();
    assertThat(proxy.targets()).allMatch(t -> t.equals("localhost:" + server.getRuntimeInfo().getHttpsPort()));
  }

  @Test
  void reachesNonProxyHostsDirectly() {
    CountingProxy proxy = proxy(server.getPort());
    HttpBatchTracker tracker =
        tracker(
            config(httpUrl())
                .proxy(HttpProxy.of("127.0.0.1", proxy.port()).withNonProxyHosts(List.of("*host", "10.*"))));

    deliver(tracker, 2);

    assertThat(tracker.stats().delivered()).isEqualTo(2);
    assertThat(proxy.targets()).isEmpty();
  }

  @Test
  void withoutAConfiguredProxyTheJvmProxySystemPropertiesApply() {
    CountingProxy proxy = proxy(server.getPort());
    System.setProperty("http.proxyHost", "127.0.0.1");
    System.setProperty("http.proxyPort", String.valueOf(proxy.port()));
    try {
      HttpBatchTracker tracker = tracker(config("http://tracking.invalid/ingest"));

      deliver(tracker, 2);

      assertThat(tracker.stats().delivered()).isEqualTo(2);
      assertThat(proxy.forwarded()).isEqualTo(2);
    } finally {
      System.clearProperty("http.proxyHost");
      System.clearProperty("http.proxyPort");
    }
  }

  @Test
  void warnsOnceAtStartWhenTheJdkWillNotSendProxyCredentialsOnAnHttpsTunnel() {
    Logger logger = (Logger) LoggerFactory.getLogger("dev.durableeffect.tracker");
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    logger.addAppender(log);
    try {
      HttpProxy withCredentials = HttpProxy.of("127.0.0.1", 3128).withCredentials("tracker", "proxy-secret");
      TrackerHttpClient.close(
          TrackerHttpClient.build(config(httpUrl()).proxy(withCredentials).build(), builder -> {}));
      assertThat(log.list).as("a plain http endpoint: the proxy gets the credentials").isEmpty();
      TrackerHttpClient.close(
          TrackerHttpClient.build(config(httpsUrl(server)).proxy(withCredentials).build(), builder -> {}));

      assertThat(log.list)
          .extracting(ILoggingEvent::getFormattedMessage)
          .singleElement()
          .satisfies(m -> assertThat(m).contains("-Djdk.http.auth.tunneling.disabledSchemes=").doesNotContain("proxy-secret"));
    } finally {
      logger.detachAppender(log);
    }
  }

  @Test
  void proxyValuesAreCheckedAndThePasswordIsNeverShown() {
    HttpProxy proxy = HttpProxy.of("proxy.internal", 3128).withCredentials("tracker", "proxy-secret");
    HttpBatchTrackerConfig config = config("http://localhost:9/ingest").proxy(proxy).build();

    assertThat(proxy.toString()).doesNotContain("proxy-secret").contains("password=***", "username=tracker");
    assertThat(config.toString()).doesNotContain("proxy-secret").contains("proxy.internal");
    assertThatThrownBy(() -> HttpProxy.of("proxy.internal", 0))
        .isInstanceOfSatisfying(InvalidSettingException.class, e -> assertThat(e.setting()).isEqualTo("proxy.port"));
    assertThatThrownBy(() -> HttpProxy.of(" ", 3128))
        .isInstanceOfSatisfying(InvalidSettingException.class, e -> assertThat(e.setting()).isEqualTo("proxy.host"));
    assertThatThrownBy(() -> new HttpProxy("proxy.internal", 3128, null, "proxy-secret", List.of()))
        .isInstanceOfSatisfying(InvalidSettingException.class, e -> {
          assertThat(e.setting()).isEqualTo("proxy.username");
          assertThat(e.getMessage()).doesNotContain("proxy-secret");
        });
    assertThat(HttpProxy.of("p", 1).withNonProxyHosts(List.of("*.internal", "10.*", "LocalHost")))
        .satisfies(p -> {
          assertThat(p.bypasses("api.internal")).isTrue();
          assertThat(p.bypasses("10.1.2.3")).isTrue();
          assertThat(p.bypasses("localhost")).isTrue();
          assertThat(p.bypasses("internal.example.com")).isFalse();
        });
  }

  @Test
  void proxySettingsAreAcceptedUpToTheirLimitsAndMistakesAreNamedWithTheirValue() {
    assertThat(HttpProxy.of("proxy.internal", 65535).port()).isEqualTo(65535);
    assertThatThrownBy(() -> HttpProxy.of("proxy.internal", 65536))
        .hasMessage("Invalid durable-tracker setting proxy.port: 65536 (expected a port from 1 to 65535)");
    assertThatThrownBy(() -> HttpProxy.of(" ", 3128))
        .hasMessage("Invalid durable-tracker setting proxy.host: ' ' (expected a host name or address)");
    assertThatThrownBy(() -> HttpProxy.of(null, 3128))
        .hasMessage("durable-tracker setting proxy.host is required (expected a host name or address)");
    for (String username : new String[] {":admin", "ad:min"}) {
      assertThatThrownBy(() -> HttpProxy.of("proxy.internal", 3128).withCredentials(username, "proxy-secret"))
          .hasMessage("Invalid durable-tracker setting proxy.username: '" + username + "' (expected a user name without ':')");
    }
    assertThatThrownBy(() -> HttpProxy.of("proxy.internal", 3128).withNonProxyHosts(List.of("*")))
        .hasMessage("Invalid durable-tracker setting proxy.nonProxyHosts: '*' (expected host names or patterns such as *.internal)");
  }

  @Test
  void anIpv6HostIsMatchedAgainstTheBypassListWithOrWithoutBrackets() {
    HttpProxy proxy = HttpProxy.of("proxy.internal", 3128).withNonProxyHosts(List.of("::1", "[fe80::1]"));
    TrackerHttpClient.Selector selector = new TrackerHttpClient.Selector(proxy);

    // URI.getHost() keeps the brackets of an IPv6 address.
    assertThat(selector.select(java.net.URI.create("http://[::1]:8080/ingest"))).containsExactly(java.net.Proxy.NO_PROXY);
    assertThat(proxy.bypasses("fe80::1")).isTrue();
    assertThat(selector.select(java.net.URI.create("http://[::2]:8080/ingest"))).doesNotContain(java.net.Proxy.NO_PROXY);
  }

  @Test
  void evaluatesTheHeaderSupplierForEveryRequestIncludingRetries() {
    server.stubFor(
        post(urlEqualTo("/ingest"))
            .inScenario("retry")
            .whenScenarioStateIs(Scenario.STARTED)
            .willReturn(serviceUnavailable())
            .willSetStateTo("up"));
    server.stubFor(post(urlEqualTo("/ingest")).inScenario("retry").whenScenarioStateIs("up").willReturn(ok()));
    AtomicInteger token = new AtomicInteger();
    HttpBatchTracker tracker =
        tracker(
            config(httpUrl())
                .header("Authorization", "Bearer static")
                .header("X-Static", "kept")
                .headers(() -> Map.of("Authorization", "Bearer token-" + token.incrementAndGet())));

    deliver(tracker, 1);

    List<LoggedRequest> requests = server.findAll(postRequestedFor(urlEqualTo("/ingest")));
    assertThat(requests).extracting(r -> r.getHeader("Authorization")).containsExactly("Bearer token-1", "Bearer token-2");
    assertThat(requests).extracting(r -> r.getHeader("X-Static")).containsOnly("kept");
    assertThat(requests).extracting(r -> r.getHeader("Idempotency-Key")).doesNotContainNull().hasSize(2);
    assertThat(requests.get(0).getHeader("Idempotency-Key")).isEqualTo(requests.get(1).getHeader("Idempotency-Key"));
  }

  @Test
  void aThrowingHeaderSupplierFailsThatRequestOnlyAndNeverLogsItsMessage() {
    Logger logger = (Logger) LoggerFactory.getLogger("dev.durableeffect.tracker");
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    logger.addAppender(log);
    AtomicInteger calls = new AtomicInteger();
    try {
      HttpBatchTracker tracker =
          tracker(
              config(httpUrl())
                  .headers(
                      () -> {
                        if (calls.incrementAndGet() == 1) {
                          throw new IllegalStateException("token service said: secret-refresh-token");
                        }
                        return Map.of("Authorization", "Bearer fresh");
                      }));

      deliver(tracker, 1);

      assertThat(tracker.stats().delivered()).isEqualTo(1);
      assertThat(server.findAll(postRequestedFor(urlEqualTo("/ingest"))))
          .singleElement()
          .satisfies(r -> assertThat(r.getHeader("Authorization")).isEqualTo("Bearer fresh"));
      assertThat(log.list)
          .extracting(ILoggingEvent::getFormattedMessage)
          .anySatisfy(m -> assertThat(m).contains("request header supplier failed (java.lang.IllegalStateException)"))
          .noneSatisfy(m -> assertThat(m).contains("secret-refresh-token"));
    } finally {
      logger.detachAppender(log);
    }
  }

  @Test
  void anInvalidHeaderIsAPermanentFailureNamingTheHeaderButNotItsValue() {
    HttpSender.Response supplied =
        sendOnce(config(httpUrl()).headers(() -> Map.of("X-Token", "secret\r\nInjected: yes")).build());
    HttpSender.Response restricted = sendOnce(config(httpUrl()).header("Host", "elsewhere").build());

    assertThat(supplied.permanent()).isTrue();
    assertThat(supplied.failure()).contains("'X-Token'").doesNotContain("secret");
    assertThat(restricted.permanent()).isTrue();
    assertThat(restricted.failure()).contains("'Host'");
    assertThat(server.getAllServeEvents()).isEmpty();
  }

  @Test
  void appliesTheClientCustomizerAfterTheTrackersOwnSettings() {
    AtomicInteger tasks = new AtomicInteger();
    Executor counting =
        task -> {
          tasks.incrementAndGet();
          ForkJoinPool.commonPool().execute(task);
        };
    CountingProxy proxy = proxy(server.getPort());
    HttpBatchTracker tracker =
        tracker(
            config("http://tracking.invalid/ingest"),
            builder -> builder.executor(counting).proxy(java.net.ProxySelector.of(proxy.address())));

    deliver(tracker, 1);

    assertThat(tracker.stats().delivered()).isEqualTo(1);
    assertThat(tasks).hasPositiveValue();
    assertThat(proxy.forwarded()).isEqualTo(1);
  }

  @Test
  void aConfiguredContentTypeReplacesTheDefaultWhateverItsCase() {
    HttpBatchTracker tracker = tracker(config(httpUrl()).header("content-type", "application/vnd.events+json"));

    deliver(tracker, 1);

    assertThat(server.findAll(postRequestedFor(urlEqualTo("/ingest"))).get(0).getHeaders().getHeader("Content-Type").values())
        .containsExactly("application/vnd.events+json");
  }

  @Test
  void sendsTheTrackersHeadersAndNoOthers() {
    HttpBatchTracker tracker = tracker(config(httpUrl()).compression(Compression.GZIP));

    deliver(tracker, 1);

    LoggedRequest request = server.findAll(postRequestedFor(urlEqualTo("/ingest"))).get(0);
    assertThat(request.getHeader("Content-Type")).isEqualTo("application/json");
    assertThat(request.getHeader("Content-Encoding")).isEqualTo("gzip");
    assertThat(request.getHeader("User-Agent")).startsWith("durable-tracker-java/");
    assertThat(request.getHeader("Content-Length")).isNotNull();
    assertThat(request.containsHeader("Transfer-Encoding")).isFalse();
    server.verify(postRequestedFor(urlEqualTo("/ingest")).withHeader("Upgrade", absent()).withHeader("Authorization", absent()));
    assertThat(request.getHeader("Idempotency-Key")).isNotBlank();
    assertThat(server.findAll(postRequestedFor(urlEqualTo("/ingest")).withHeader("Content-Type", equalTo("application/json"))))
        .hasSize(1);
  }
}
