package dev.durableeffect.tracker.autoconfigure;

import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.durableeffect.tracker.EventTracking;
import dev.durableeffect.tracker.event.WireEvent;
import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.event.WorkflowEvents;
import dev.durableeffect.tracker.http.HttpBatchTracker;
import dev.durableeffect.tracker.json.EventJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/** A real context with a WireMock endpoint that outlives it. */
class HttpTrackerEndToEndTest {

  @RegisterExtension
  static WireMockExtension server =
      WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  private ApplicationContextRunner runner;

  @BeforeEach
  void setUp() {
    server.stubFor(post(urlEqualTo("/ingest")).willReturn(ok()));
    runner =
        new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DurableTrackerAutoConfiguration.class))
            .withPropertyValues(
                "durable.tracker.endpoint=" + server.baseUrl() + "/ingest",
                "durable.tracker.env=test",
                "durable.tracker.service-key=orders",
                "durable.tracker.compression=none");
  }

  private static List<WireEvent> received() {
    List<WireEvent> all = new ArrayList<>();
    server.getAllServeEvents().forEach(e -> all.addAll(EventJson.fromBatchJson(e.getRequest().getBodyAsString())));
    return all;
  }

  private static WorkflowEvent event(String workflowId) {
    return new WorkflowEvent.StepStarted(WorkflowEvents.createBaseEvent(workflowId, "order"), "charge", 1);
  }

  @Test
  void deliversEmittedEventsOnTheFlushIntervalWithoutAnExplicitFlush() {
    runner
        .withPropertyValues("durable.tracker.flush-interval=200ms")
        .run(
            context -> {
              EventTracking.emitEvent(event("wf-1"));
              EventTracking.emitEvent(event("wf-2"));

              await().atMost(Duration.ofSeconds(5)).until(() -> received().size() == 2);
              assertThat(received())
                  .allSatisfy(
                      e -> {
                        assertThat(e.env()).isEqualTo("test");
                        assertThat(e.serviceKey()).isEqualTo("orders");
                      });
            });
  }

  @Test
  void deliversEventsStillPendingWhenTheContextCloses() {
    runner
        .withPropertyValues("durable.tracker.flush-interval=1h", "durable.tracker.batch-size=1000")
        .run(
            context -> {
              HttpBatchTracker tracker = context.getBean(HttpBatchTracker.class);
              for (int i = 0; i < 25; i++) {
                tracker.emit(event("wf-" + i));
              }
              assertThat(received()).isEmpty();
              context.close();

              assertThat(received()).hasSize(25);
              assertThat(tracker.stats().delivered()).isEqualTo(25);
              assertThat(tracker.pending()).isZero();
            });
  }

  @Test
  void aWebAppThatEmitsDuringARequestWhileShuttingDownLosesNothing() throws Exception {
    ConfigurableApplicationContext app =
        new SpringApplicationBuilder(WebApp.class)
            .properties(
                "server.port=0",
                "server.shutdown=graceful",
                "spring.lifecycle.timeout-per-shutdown-phase=10s",
                "durable.tracker.endpoint=" + server.baseUrl() + "/ingest",
                "durable.tracker.env=test",
                "durable.tracker.service-key=web",
                "durable.tracker.compression=none",
                "durable.tracker.flush-interval=1h")
            .run();
    int port = app.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
    CompletableFuture<HttpResponse<String>> response =
        HttpClient.newHttpClient()
            .sendAsync(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/work")).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(WebApp.requestStarted.await(10, TimeUnit.SECONDS)).isTrue();

    app.close();

    assertThat(response.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(received())
        .extracting(e -> e.event().base().workflowId())
        .containsExactly("emitted-while-draining");
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class WebApp {
    static final CountDownLatch requestStarted = new CountDownLatch(1);

    @Bean
    RouterFunction<ServerResponse> work() {
      return RouterFunctions.route()
          .GET(
              "/work",
              request -> {
                requestStarted.countDown();
                return Mono.delay(Duration.ofMillis(700))
                    .doOnNext(tick -> EventTracking.emitEvent(event("emitted-while-draining")))
                    .then(ServerResponse.ok().bodyValue("done"));
              })
          .build();
    }
  }
}
