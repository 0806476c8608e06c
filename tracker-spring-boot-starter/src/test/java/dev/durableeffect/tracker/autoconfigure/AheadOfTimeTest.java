package dev.durableeffect.tracker.autoconfigure;

import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.durableeffect.tracker.EventTracker;
import dev.durableeffect.tracker.EventTracking;
import dev.durableeffect.tracker.NoopTracker;
import dev.durableeffect.tracker.event.WireEvent;
import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.event.WorkflowEvents;
import dev.durableeffect.tracker.http.HttpBatchTracker;
import dev.durableeffect.tracker.json.EventJson;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.aot.AotDetector;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.aot.test.generate.TestGenerationContext;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.aot.ApplicationContextAotGenerator;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.test.tools.CompileWithForkedClassLoader;
import org.springframework.core.test.tools.TestCompiler;
import org.springframework.javapoet.ClassName;

/**
 * Runs the Spring AOT processor on an application built without an endpoint, compiles what it
 * generates, and starts the AOT-initialized context the way a native image or {@code
 * -Dspring.aot.enabled=true} would: the tracker type is decided by what is configured at run time.
 */
class AheadOfTimeTest {

  @RegisterExtension
  static WireMockExtension server =
      WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

  /** The application as the build sees it: no endpoint, so conditions alone would bake in noop. */
  private final ApplicationContextRunner buildTime =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  DurableTrackerAutoConfiguration.class,
                  DurableTrackerMetricsAutoConfiguration.class,
                  DurableTrackerHealthAutoConfiguration.class))
          .withPropertyValues("spring.application.name=orders");

  @BeforeEach
  void stub() {
    server.stubFor(post(urlEqualTo("/ingest")).willReturn(ok()));
  }

  @Test
  @CompileWithForkedClassLoader
  void anEndpointGivenOnlyAsAnEnvironmentVariableAtRunTimeGetsTheHttpTracker() {
    Map<String, Object> variables = new HashMap<>(System.getenv());
    variables.put("DURABLE_TRACKER_ENDPOINT", server.baseUrl() + "/ingest");
    variables.put("DURABLE_TRACKER_COMPRESSION", "none");
    variables.put("DURABLE_TRACKER_FLUSH_INTERVAL", "100ms");

    runAheadOfTimeProcessed(
        context ->
            context
                .getEnvironment()
                .getPropertySources()
                .replace(
                    StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                    new SystemEnvironmentPropertySource(
                        StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, variables)),
        context -> {
          assertThat(context.getBean(EventTracker.class)).isInstanceOf(HttpBatchTracker.class);

          EventTracking.emitEvent(event("wf-aot"));

          await().atMost(Duration.ofSeconds(10)).until(() -> !received().isEmpty());
          assertThat(received())
              .singleElement()
              .satisfies(
                  e -> {
                    assertThat(e.event().base().workflowId()).isEqualTo("wf-aot");
                    assertThat(e.serviceKey()).isEqualTo("orders");
                  });
        });
  }

  @Test
  @CompileWithForkedClassLoader
  void theTypeIsAlsoDecidedAtRunTime() {
    runAheadOfTimeProcessed(
        context -> TestPropertyValues.of("durable.tracker.type=in-memory").applyTo(context),
        context -> assertThat(TrackerKind.of(context.getBean(EventTracker.class))).isEqualTo("in-memory"));
  }

  @Test
  @CompileWithForkedClassLoader
  void withoutAnEndpointAtRunTimeTrackingIsOff() {
    runAheadOfTimeProcessed(
        context -> { },
        context -> assertThat(context.getBean(EventTracker.class)).isInstanceOf(NoopTracker.class));
  }

  @Test
  @CompileWithForkedClassLoader
  void enabledFalseAtRunTimeTurnsTrackingOffThoughTheBuildHadItOn() {
    runAheadOfTimeProcessed(
        context ->
            TestPropertyValues.of("durable.tracker.enabled=false", "durable.tracker.endpoint=" + server.baseUrl())
                .applyTo(context),
        context -> assertThat(context.getBean(EventTracker.class)).isInstanceOf(NoopTracker.class));
  }

  @Test
  void theProcessorRecordsTheHintsANativeImageNeeds() {
    buildTime.prepare(
        context -> {
          TestGenerationContext generation = new TestGenerationContext(AheadOfTimeTest.class);
          new ApplicationContextAotGenerator()
              .processAheadOfTime((GenericApplicationContext) context.getSourceApplicationContext(), generation);

          assertThat(RuntimeHintsPredicates.resource().forResource(DurableTrackerRuntimeHints.VERSION_RESOURCE))
              .accepts(generation.getRuntimeHints());
        });
  }

  /**
   * Processes {@link #buildTime} ahead of time, then starts a fresh context from the generated
   * initializer with the run-time configuration, as the application would start.
   */
  @SuppressWarnings("unchecked")
  private void runAheadOfTimeProcessed(
      Consumer<GenericApplicationContext> runTimeConfiguration, Consumer<GenericApplicationContext> assertions) {
    buildTime.prepare(
        context -> {
          TestGenerationContext generation = new TestGenerationContext(AheadOfTimeTest.class);
          ClassName initializerName =
              new ApplicationContextAotGenerator()
                  .processAheadOfTime((GenericApplicationContext) context.getSourceApplicationContext(), generation);
          generation.writeGeneratedContent();
          TestCompiler.forSystem()
              .with(generation)
              .compile(
                  compiled -> {
                    GenericApplicationContext runTime = new GenericApplicationContext();
                    TestPropertyValues.of("spring.application.name=orders").applyTo(runTime);
                    runTimeConfiguration.accept(runTime);
                    compiled
                        .getInstance(ApplicationContextInitializer.class, initializerName.toString())
                        .initialize(runTime);
                    TestPropertyValues.of(AotDetector.AOT_ENABLED + "=true").applyToSystemProperties(runTime::refresh);
                    try {
                      assertions.accept(runTime);
                    } finally {
                      runTime.close();
                    }
                  });
        });
  }

  private static WorkflowEvent event(String workflowId) {
    return new WorkflowEvent.WorkflowResumed(WorkflowEvents.createBaseEvent(workflowId, "order"));
  }

  private static List<WireEvent> received() {
    List<WireEvent> all = new ArrayList<>();
    server.getAllServeEvents().forEach(e -> all.addAll(EventJson.fromBatchJson(e.getRequest().getBodyAsString())));
    return all;
  }
}
