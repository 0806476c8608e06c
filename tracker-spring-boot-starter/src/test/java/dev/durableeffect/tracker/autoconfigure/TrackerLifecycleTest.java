package dev.durableeffect.tracker.autoconfigure;

import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.durableeffect.tracker.DropReason;
import dev.durableeffect.tracker.EventTracker;
import dev.durableeffect.tracker.EventTracking;
import dev.durableeffect.tracker.TrackerStats;
import dev.durableeffect.tracker.event.WireEvent;
import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.event.WorkflowEvents;
import dev.durableeffect.tracker.http.HttpBatchTracker;
import dev.durableeffect.tracker.json.EventJson;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.ReactorResourceFactory;

/** What the starter's lifecycle promises at shutdown, observed rather than read off constants. */
class TrackerLifecycleTest {

  @RegisterExtension
  static WireMockExtension server =
      WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  @BeforeEach
  void healthyEndpoint() {
    server.stubFor(post(urlEqualTo("/ingest")).willReturn(ok()));
  }

  private static WorkflowEvent event(String workflowId) {
    return new WorkflowEvent.WorkflowResumed(WorkflowEvents.createBaseEvent(workflowId, "shutdown"));
  }

  private static List<String> received() {
    List<String> ids = new ArrayList<>();
    server.getAllServeEvents()
        .forEach(e -> EventJson.fromBatchJson(e.getRequest().getBodyAsString()).stream()
            .map(WireEvent::event)
            .forEach(event -> ids.add(event.base().workflowId())));
    return ids;
  }

  @Test
  void eventsEmittedThroughTheFacadeWhileTheContextClosesAreDeliveredOrCountedClosed() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(DurableTrackerAutoConfiguration.class))
        .withUserConfiguration(ShutdownEmitters.class)
        .withPropertyValues(
            "durable.tracker.endpoint=" + server.baseUrl() + "/ingest",
            "durable.tracker.service-key=orders",
            "durable.tracker.compression=none",
            "durable.tracker.flush-interval=1h")
        .run(
            context -> {
              HttpBatchTracker tracker = context.getBean(HttpBatchTracker.class);

              context.close();
              EventTracking.emitEvent(event("after-close"));

              // Before the tracker's phase: still open, so delivered by its drain. After it (a bean's
              // destroy method, or any time later): the closed tracker counts them.
              assertThat(received()).containsExactly("stopping-before-the-tracker");
              TrackerStats stats = tracker.stats();
              assertThat(stats.emitted()).as("every facade emit reached the tracker: %s", stats).isEqualTo(3);
              assertThat(stats.delivered()).isEqualTo(1);
              assertThat(stats.dropped(DropReason.CLOSED)).isEqualTo(2);
              assertThat(stats.pending()).isZero();
              assertThat(EventTracking.current()).containsSame(tracker);
            });
  }

  /** Beans of the application that emit through the facade while the context closes. */
  @Configuration(proxyBeanMethods = false)
  static class ShutdownEmitters {

    @Bean
    SmartLifecycle stopsBeforeTheTracker() {
      return new SmartLifecycle() {
        private volatile boolean running;

        @Override
        public void start() {
          running = true;
        }

        @Override
        public void stop() {
          EventTracking.emitEvent(event("stopping-before-the-tracker"));
          running = false;
        }

        @Override
        public boolean isRunning() {
          return running;
        }

        @Override
        public int getPhase() {
          return TrackerLifecycle.PHASE + 1;
        }
      };
    }

    @Bean
    DisposableBean emitsWhenDestroyed() {
      return () -> EventTracking.emitEvent(event("destroyed"));
    }
  }

  @Test
  void theTrackerIsClosedAfterTheWebServerStoppedAndWhileReactorNettyResourcesStillRun() {
    ConfigurableApplicationContext app =
        new SpringApplicationBuilder(WebApp.class)
            .properties("server.port=0", "server.shutdown=graceful")
            .run();
    int port = app.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
    ClosingProbe probe = app.getBean(ClosingProbe.class);
    probe.port = port;
    assertThat(probe.accepts(port)).as("the web server accepts connections while running").isTrue();
    assertThat(app.getBean(ReactorResourceFactory.class).isRunning()).isTrue();

    app.close();

    assertThat(probe.closes.get()).isPositive();
    assertThat(probe.webServerAcceptedAtClose).as("web server still accepting when the tracker closed").isFalse();
    assertThat(probe.reactorResourcesRunningAtClose).as("Reactor Netty resources running when the tracker closed").isTrue();
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class WebApp {
    @Bean
    ClosingProbe closingProbe(ApplicationContext context) {
      return new ClosingProbe(context);
    }
  }

  /** A tracker of the application's own that looks around when the starter's lifecycle closes it. */
  static final class ClosingProbe implements EventTracker {
    private final ApplicationContext context;
    final AtomicInteger closes = new AtomicInteger();
    volatile int port;
    volatile boolean webServerAcceptedAtClose;
    volatile boolean reactorResourcesRunningAtClose;

    ClosingProbe(ApplicationContext context) {
      this.context = context;
    }

    boolean accepts(int port) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
        return true;
      } catch (IOException e) {
        return false;
      }
    }

    @Override
    public void emit(WorkflowEvent event) {}

    @Override
    public CompletableFuture<Void> flush() {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public long pending() {
      return 0;
    }

    @Override
    public TrackerStats stats() {
      return TrackerStats.EMPTY;
    }

    @Override
    public void close() {
      if (closes.incrementAndGet() == 1) {
        webServerAcceptedAtClose = accepts(port);
        reactorResourcesRunningAtClose = context.getBean(ReactorResourceFactory.class).isRunning();
      }
    }
  }
}
