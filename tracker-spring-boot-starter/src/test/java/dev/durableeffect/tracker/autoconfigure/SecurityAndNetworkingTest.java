package dev.durableeffect.tracker.autoconfigure;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.durableeffect.tracker.EventTracking;
import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.event.WorkflowEvents;
import dev.durableeffect.tracker.http.HttpBatchTracker;
import dev.durableeffect.tracker.testing.CountingProxy;
import dev.durableeffect.tracker.testing.TestCertificates;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The tracker's own HTTP client in a real context: isolated from the application's WebClient,
 * configured by an SSL bundle, proxy properties, header beans and customizer beans.
 */
@ExtendWith(OutputCaptureExtension.class)
class SecurityAndNetworkingTest {

  private static final TestCertificates CERTS = TestCertificates.get();

  @RegisterExtension
  static WireMockExtension server = WireMockExtension.newInstance().options(CERTS.httpsServer()).build();

  @RegisterExtension
  static WireMockExtension mutualTls =
      WireMockExtension.newInstance().options(CERTS.mutualTlsServer()).build();

  private final List<CountingProxy> proxies = new CopyOnWriteArrayList<>();

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, DurableTrackerAutoConfiguration.class))
          .withPropertyValues(
              "durable.tracker.env=test",
              "durable.tracker.service-key=orders",
              "durable.tracker.compression=none",
              "durable.tracker.batch-size=1",
              "durable.tracker.max-batch-size=1",
              "durable.tracker.retry.initial-delay=10ms",
              "durable.tracker.retry.max-delay=20ms");

  @BeforeEach
  void healthyEndpoints() {
    server.stubFor(post(urlEqualTo("/ingest")).willReturn(ok()));
    server.stubFor(get(urlEqualTo("/app-api")).willReturn(ok()));
    mutualTls.stubFor(post(urlEqualTo("/ingest")).willReturn(ok()));
  }

  @AfterEach
  void closeProxies() {
    proxies.forEach(CountingProxy::close);
  }

  private CountingProxy proxy(int upstreamPort) {
    CountingProxy proxy = CountingProxy.to(upstreamPort);
    proxies.add(proxy);
    return proxy;
  }

  private static String httpEndpoint() {
    return "durable.tracker.endpoint=http://localhost:" + server.getPort() + "/ingest";
  }

  private static String httpsEndpoint(WireMockExtension wireMock) {
    return "durable.tracker.endpoint=https://localhost:" + wireMock.getRuntimeInfo().getHttpsPort() + "/ingest";
  }

  private static WorkflowEvent event(int n) {
    return new WorkflowEvent.StepStarted(WorkflowEvents.createBaseEvent("wf-" + n, "order"), "charge", 1);
  }

  private static HttpBatchTracker deliver(org.springframework.context.ApplicationContext context, int events) {
    HttpBatchTracker tracker = context.getBean(HttpBatchTracker.class);
    for (int i = 0; i < events; i++) {
      EventTracking.emitEvent(event(i));
    }
    assertThat(tracker.flush(Duration.ofSeconds(10))).isTrue();
    return tracker;
  }

  private static List<LoggedRequest> trackerRequests(WireMockExtension wireMock) {
    return wireMock.findAll(postRequestedFor(urlEqualTo("/ingest")));
  }

  @Test
  void theApplicationsWebClientHeadersFiltersAndObservationNeverReachTrackerRequests() {
    runner
        .withUserConfiguration(ApplicationWebClient.class)
        .withPropertyValues(httpEndpoint())
        .run(
            context -> {
              HttpBatchTracker tracker = deliver(context, 3);

              assertThat(tracker.stats().delivered()).isEqualTo(3);
              assertThat(trackerRequests(server))
                  .hasSize(3)
                  .allSatisfy(
                      request -> {
                        assertThat(request.containsHeader("X-App-Secret")).isFalse();
                        assertThat(request.containsHeader("Authorization")).isFalse();
                      });
              RecordingHandler observations = context.getBean(RecordingHandler.class);
              assertThat(observations.names).isEmpty();

              // The application's own client still carries all of it: the test would see a leak.
              context.getBean(WebClient.Builder.class).build()
                  .get().uri("http://localhost:" + server.getPort() + "/app-api")
                  .retrieve().toBodilessEntity().block(Duration.ofSeconds(10));
              assertThat(server.findAll(getRequestedFor(urlEqualTo("/app-api"))))
                  .singleElement()
                  .satisfies(
                      request -> {
                        assertThat(request.getHeader("X-App-Secret")).isEqualTo("app-secret-value");
                        assertThat(request.getHeader("Authorization")).isEqualTo("Bearer app-token");
                      });
              assertThat(observations.names).containsExactly("http.client.requests");
            });
  }

  @Test
  void reachesASelfSignedEndpointThroughAPemSslBundle() {
    runner
        .withPropertyValues(
            httpsEndpoint(server),
            "spring.ssl.bundle.pem.tracking.truststore.certificate=file:" + CERTS.serverCertificatePem(),
            "durable.tracker.ssl.bundle=tracking")
        .run(
            context -> {
              assertThat(deliver(context, 2).stats().delivered()).isEqualTo(2);
              assertThat(trackerRequests(server)).hasSize(2);
            });
  }

  @Test
  void withoutTheBundleASelfSignedEndpointFailsWithOneClearWarning(CapturedOutput output) {
    runner
        .withPropertyValues(httpsEndpoint(server))
        .run(
            context -> {
              HttpBatchTracker tracker = context.getBean(HttpBatchTracker.class);
              EventTracking.emitEvent(event(1));

              // A configuration error: dropped at once as REJECTED, not retried until exhausted.
              await().atMost(Duration.ofSeconds(10)).until(() -> tracker.stats().dropped() == 1);
              assertThat(tracker.stats().dropped(dev.durableeffect.tracker.DropReason.REJECTED)).isEqualTo(1);
              assertThat(tracker.deliveryStatus().consecutiveFailures()).isEqualTo(1);
              assertThat(tracker.deliveryStatus().lastFailureReason())
                  .startsWith("TLS handshake failed: PKIX path building failed")
                  .contains("durable.tracker.ssl.bundle");
              assertThat(trackerRequests(server)).isEmpty();
            });
    assertThat(output.getOut().lines().filter(line -> line.contains(" WARN ") || line.contains(" ERROR ")))
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .contains("TLS handshake failed: PKIX path building failed", "durable.tracker.ssl.bundle");
  }

  @Test
  void presentsTheClientCertificateOfAJksBundleForMutualTls() {
    String bundle = "spring.ssl.bundle.jks.tracking.";
    runner
        .withPropertyValues(
            httpsEndpoint(mutualTls),
            bundle + "keystore.location=file:" + CERTS.clientKeyStore(),
            bundle + "keystore.type=PKCS12",
            bundle + "keystore.password=" + TestCertificates.PASSWORD,
            bundle + "truststore.location=file:" + CERTS.clientTrustStore(),
            bundle + "truststore.type=PKCS12",
            bundle + "truststore.password=" + TestCertificates.PASSWORD,
            "durable.tracker.ssl.bundle=tracking")
        .run(context -> assertThat(deliver(context, 2).stats().delivered()).isEqualTo(2));
    assertThat(trackerRequests(mutualTls)).hasSize(2);
  }

  @Test
  void presentsTheClientCertificateOfAPemBundleForMutualTls() {
    String bundle = "spring.ssl.bundle.pem.tracking.";
    runner
        .withPropertyValues(
            httpsEndpoint(mutualTls),
            bundle + "keystore.certificate=file:" + CERTS.clientCertificatePem(),
            bundle + "keystore.private-key=file:" + CERTS.clientPrivateKeyPem(),
            bundle + "truststore.certificate=file:" + CERTS.serverCertificatePem(),
            "durable.tracker.ssl.bundle=tracking")
        .run(context -> assertThat(deliver(context, 1).stats().delivered()).isEqualTo(1));
  }

  @Test
  void anUnknownSslBundleFailsStartupNamingThePropertyAndTheBundlesThereAre() {
    runner
        .withPropertyValues(
            httpEndpoint(),
            "spring.ssl.bundle.pem.tracking.truststore.certificate=file:" + CERTS.serverCertificatePem(),
            "durable.tracker.ssl.bundle=trackng")
        .run(
            context -> {
              assertThat(context).hasFailed();
              FailureAnalysis analysis = analyze(context.getStartupFailure());
              assertThat(analysis.getDescription()).contains("'durable.tracker.ssl.bundle'", "trackng");
              assertThat(analysis.getAction()).contains("spring.ssl.bundle", "[tracking]");
            });
  }

  @Test
  void sendsThroughTheConfiguredProxyWithItsCredentialsAndNeverShowsThePassword(CapturedOutput output) {
    CountingProxy proxy = proxy(server.getPort()).requireCredentials("tracker", "proxy-password-value");
    runner
        .withPropertyValues(
            "durable.tracker.endpoint=http://tracking.invalid/ingest",
            "durable.tracker.proxy.host=127.0.0.1",
            "durable.tracker.proxy.port=" + proxy.port(),
            "durable.tracker.proxy.username=tracker",
            "durable.tracker.proxy.password=proxy-password-value")
        .run(
            context -> {
              HttpBatchTracker tracker = deliver(context, 3);

              assertThat(tracker.stats().delivered()).isEqualTo(3);
              assertThat(proxy.forwarded()).isEqualTo(3);
              assertThat(proxy.refused()).isZero();
              assertThat(trackerRequests(server)).allSatisfy(r -> assertThat(r.containsHeader("Proxy-Authorization")).isFalse());
              assertThat(context.getBean(DurableTrackerProperties.class).toString())
                  .contains("proxy", "127.0.0.1", "password=***")
                  .doesNotContain("proxy-password-value");
              assertThat(tracker.config().toString()).doesNotContain("proxy-password-value");
            });
    assertThat(output).doesNotContain("proxy-password-value");
  }

  @Test
  void reachesNonProxyHostsDirectly() {
    CountingProxy proxy = proxy(server.getPort());
    runner
        .withPropertyValues(
            httpEndpoint(),
            "durable.tracker.proxy.host=127.0.0.1",
            "durable.tracker.proxy.port=" + proxy.port(),
            "durable.tracker.proxy.non-proxy-hosts=*.internal,localhost")
        .run(context -> assertThat(deliver(context, 2).stats().delivered()).isEqualTo(2));
    assertThat(proxy.targets()).isEmpty();
  }

  @Test
  void aProxyHostWithoutAPortFailsStartupNamingTheProperty() {
    runner
        .withPropertyValues(httpEndpoint(), "durable.tracker.proxy.host=proxy.internal", "durable.tracker.proxy.password=x")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(analyze(context.getStartupFailure()).getDescription())
                  .contains("'durable.tracker.proxy.port' is required");
            });
    runner
        .withPropertyValues(httpEndpoint(), "durable.tracker.proxy.host=proxy.internal", "durable.tracker.proxy.port=70000")
        .run(
            context ->
                assertThat(analyze(context.getStartupFailure()).getDescription())
                    .contains("'durable.tracker.proxy.port'", "70000"));
  }

  @Test
  void requestHeaderBeansAreEvaluatedForEveryRequestInOrderAndStaticHeadersStay() {
    runner
        .withUserConfiguration(RotatingToken.class)
        .withPropertyValues(httpEndpoint(), "durable.tracker.headers.X-Api-Key=static-key")
        .run(context -> deliver(context, 2));

    assertThat(trackerRequests(server))
        .extracting(r -> r.getHeader("Authorization"))
        .containsExactlyInAnyOrder("Bearer token-1", "Bearer token-2");
    assertThat(trackerRequests(server)).allSatisfy(r -> {
      assertThat(r.getHeader("X-Api-Key")).isEqualTo("static-key");
      assertThat(r.getHeader("X-Tenant")).isEqualTo("second");
    });
  }

  @Test
  void clientCustomizerBeansApplyInOrderAfterTheTrackersSettings() {
    CountingProxy first = proxy(server.getPort());
    CountingProxy second = proxy(server.getPort());
    runner
        .withBean("second", SecondCustomizer.class, () -> new SecondCustomizer(second))
        .withBean("first", FirstCustomizer.class, () -> new FirstCustomizer(first))
        .withPropertyValues("durable.tracker.endpoint=http://tracking.invalid/ingest")
        .run(context -> assertThat(deliver(context, 2).stats().delivered()).isEqualTo(2));

    assertThat(first.forwarded()).isZero();
    assertThat(second.forwarded()).isEqualTo(2);
  }

  private static FailureAnalysis analyze(Throwable failure) {
    Throwable cause = failure;
    while (!(cause instanceof InvalidTrackerPropertyException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    assertThat(cause).isInstanceOf(InvalidTrackerPropertyException.class);
    return new InvalidTrackerPropertyFailureAnalyzer().analyze(failure);
  }

  @Order(1)
  record FirstCustomizer(CountingProxy proxy) implements TrackerHttpClientCustomizer {
    @Override
    public void customize(HttpClient.Builder builder) {
      builder.proxy(ProxySelector.of(proxy.address()));
    }
  }

  @Order(2)
  record SecondCustomizer(CountingProxy proxy) implements TrackerHttpClientCustomizer {
    @Override
    public void customize(HttpClient.Builder builder) {
      builder.proxy(ProxySelector.of(proxy.address()));
    }
  }

  /** What an application might configure for the API it calls itself. */
  @Configuration(proxyBeanMethods = false)
  static class ApplicationWebClient {

    @Bean
    RecordingHandler recordingHandler() {
      return new RecordingHandler();
    }

    @Bean
    ObservationRegistry observationRegistry(RecordingHandler handler) {
      ObservationRegistry registry = ObservationRegistry.create();
      registry.observationConfig().observationHandler(handler);
      return registry;
    }

    @Bean
    WebClient.Builder webClientBuilder(ObservationRegistry registry) {
      return WebClient.builder()
          .defaultHeader("X-App-Secret", "app-secret-value")
          .filter(
              (request, next) ->
                  next.exchange(ClientRequest.from(request).header("Authorization", "Bearer app-token").build()))
          .observationRegistry(registry);
    }
  }

  /** Records the name of every observation started. */
  static final class RecordingHandler implements ObservationHandler<Observation.Context> {
    final List<String> names = new CopyOnWriteArrayList<>();

    @Override
    public void onStart(Observation.Context context) {
      names.add(context.getName());
    }

    @Override
    public boolean supportsContext(Observation.Context context) {
      return true;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class RotatingToken {

    @Bean
    @Order(1)
    TrackerRequestHeaders token() {
      AtomicInteger counter = new AtomicInteger();
      return () -> Map.of("Authorization", "Bearer token-" + counter.incrementAndGet(), "X-Tenant", "first");
    }

    @Bean
    @Order(2)
    TrackerRequestHeaders tenant() {
      return () -> Map.of("X-Tenant", "second");
    }
  }
}
