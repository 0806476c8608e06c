package dev.durableeffect.tracker.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

/** Bad configuration fails a real startup, and Boot's failure report names property, value and fix. */
@ExtendWith(OutputCaptureExtension.class)
class InvalidPropertiesTest {

  @Configuration(proxyBeanMethods = false)
  @ImportAutoConfiguration(DurableTrackerAutoConfiguration.class)
  static class App {}

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "durable.tracker.type | http | durable.tracker.endpoint | is required but not set | an http or https URL",
        "durable.tracker.endpoint | ftp://events.example.com/x | durable.tracker.endpoint | ftp://events.example.com/x | an absolute http or https URL",
        "durable.tracker.endpoint | http://exa mple.com | durable.tracker.endpoint | 'http://exa mple.com' | an absolute http or https URL",
        "durable.tracker.batch-size | 0 | durable.tracker.batch-size | invalid value: 0 | a number greater than 0",
        "durable.tracker.max-queue-size | -1 | durable.tracker.max-queue-size | invalid value: -1 | a number greater than 0",
        "durable.tracker.max-queue-size | 20000000 | durable.tracker.max-queue-size | invalid value: 20000000 | at most 16777216",
        "durable.tracker.shutdown-timeout | 40000d | durable.tracker.shutdown-timeout | invalid value: PT960000H | at most 36500 days",
        "durable.tracker.flush-interval | -5s | durable.tracker.flush-interval | invalid value: PT-5S | a duration greater than 0",
        "durable.tracker.request-timeout | 0 | durable.tracker.request-timeout | invalid value: PT0S | a duration greater than 0",
        "durable.tracker.retry.max-attempts | 0 | durable.tracker.retry.max-attempts | invalid value: 0 | 1 or more (every request counts, the first included)",
        "durable.tracker.retry.initial-delay | -1s | durable.tracker.retry.initial-delay | invalid value: PT-1S | a duration greater than 0",
        "durable.tracker.shutdown-timeout | -1s | durable.tracker.shutdown-timeout | invalid value: PT-1S | 0 or more",
        "durable.tracker.max-event-bytes | 0 | durable.tracker.max-event-bytes | invalid value: 0B | a size greater than 0",
        "durable.tracker.max-batch-bytes | 10KB | durable.tracker.max-batch-bytes | invalid value: 10240 | at least maxEventBytes",
      })
  void failsStartupNamingThePropertyTheValueAndWhatIsValid(
      String property, String value, String reported, String problem, String valid, CapturedOutput output) {
    String[] properties =
        property.equals("durable.tracker.type")
            ? new String[] {"durable.tracker.type=http", "durable.tracker.service-key=orders"}
            : new String[] {
              "durable.tracker.endpoint=http://localhost:9/ingest",
              "durable.tracker.service-key=orders",
              property + "=" + value
            };

    assertThatThrownBy(() -> start(properties)).hasStackTraceContaining(reported);

    assertThat(output)
        .contains("APPLICATION FAILED TO START")
        .contains("'" + reported + "'")
        .contains(problem)
        .contains("Set '" + reported + "' to " + valid);
  }

  @ParameterizedTest
  @CsvSource({"file", "rabbitmq"})
  void anUnknownTypeIsReportedWithTheValidValues(String type, CapturedOutput output) {
    assertThatThrownBy(() -> start("durable.tracker.type=" + type)).isNotNull();

    assertThat(output)
        .contains("APPLICATION FAILED TO START")
        .contains("durable.tracker.type")
        .contains(type)
        .contains("HTTP", "NOOP", "IN_MEMORY", "KAFKA");
  }

  @org.junit.jupiter.api.Test
  void httpWithoutAServiceKeyOrApplicationNameIsReported(CapturedOutput output) {
    assertThatThrownBy(() -> start("durable.tracker.endpoint=http://localhost:9/ingest")).isNotNull();

    assertThat(output)
        .contains("'durable.tracker.service-key' is required but not set")
        .contains("spring.application.name");
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "durable.tracker.spool.max-size | 512KB | a size of at least 1MB",
        "durable.tracker.spool.max-age | 0s | a duration greater than 0 and at most 36500 days",
        "durable.tracker.spool.sync-interval | -1s | a duration from 0 (every write) to 1d",
      })
  void badSpoolSettingsFailStartupNamingTheProperty(String property, String value, String valid, CapturedOutput output) {
    assertThatThrownBy(
            () ->
                start(
                    "durable.tracker.endpoint=http://localhost:9/ingest",
                    "durable.tracker.service-key=orders",
                    "durable.tracker.spool.directory=" + System.getProperty("java.io.tmpdir") + "/durable-tracker-never-created",
                    property + "=" + value))
        .hasStackTraceContaining(property);

    assertThat(output).contains("APPLICATION FAILED TO START").contains("'" + property + "'").contains(valid);
  }

  @org.junit.jupiter.api.Test
  void headerValuesNeverAppearInTheFailureReport(CapturedOutput output) {
    assertThatThrownBy(
            () ->
                start(
                    "durable.tracker.endpoint=http://localhost:9/ingest",
                    "durable.tracker.service-key=orders",
                    "durable.tracker.headers.Authorization=Bearer top-secret-token",
                    "durable.tracker.batch-size=0"))
        .isNotNull();

    assertThat(output).contains("durable.tracker.batch-size").doesNotContain("top-secret-token");
  }

  private static void start(String... properties) {
    new SpringApplicationBuilder(App.class)
        .web(WebApplicationType.NONE)
        .properties(properties)
        .run()
        .close();
  }
}
