package dev.durableeffect.tracker.autoconfigure.batch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.durableeffect.tracker.autoconfigure.DurableTrackerAutoConfiguration;
import java.io.InputStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class DurableTrackerBatchAutoConfigurationTest {

  private static final String INSTRUMENTER = "durableTrackerBatchInstrumenter";

  private final ApplicationContextRunner contextRunner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(DurableTrackerAutoConfiguration.class, DurableTrackerBatchAutoConfiguration.class))
          .withPropertyValues("durable.tracker.type=in-memory");

  @Test
  void instrumentsJobsWithTheAdapterOfTheBootLinesSpringBatch() {
    String expected = SpringBootVersion.getVersion().startsWith("3.") ? "Batch5JobInstrumenter" : "Batch6JobInstrumenter";
    contextRunner.run(
        context -> {
          assertThat(context).hasBean(INSTRUMENTER);
          assertThat(context.getBean(INSTRUMENTER).getClass().getSimpleName()).isEqualTo(expected);
        });
  }

  @Test
  void backsOffWhenBatchTrackingIsDisabled() {
    contextRunner
        .withPropertyValues("durable.tracker.batch.enabled=false")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(INSTRUMENTER));
  }

  @Test
  void backsOffWithoutSpringBatch() {
    contextRunner
        .withClassLoader(new FilteredClassLoader("org.springframework.batch"))
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(INSTRUMENTER));
  }

  @Test
  void backsOffWhenTrackingIsOff() {
    contextRunner
        .withPropertyValues("durable.tracker.enabled=false")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(INSTRUMENTER));
  }

  @Test
  void backsOffWhenTheApplicationDefinesItsOwnInstrumenter() {
    contextRunner
        .withUserConfiguration(OwnInstrumenter.class)
        .run(context -> assertThat(context.getBean(INSTRUMENTER)).isSameAs(OwnInstrumenter.INSTANCE));
  }

  @Test
  void theSwitchIsDocumentedForIdes() throws Exception {
    try (InputStream metadata =
        getClass().getClassLoader().getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
      JsonNode properties = new ObjectMapper().readTree(metadata).get("properties");
      JsonNode enabled = null;
      for (JsonNode property : properties) {
        if (property.get("name").asText().equals("durable.tracker.batch.enabled")) {
          enabled = property;
        }
      }
      assertThat(enabled).isNotNull();
      assertThat(enabled.get("defaultValue").asBoolean()).isTrue();
      assertThat(enabled.get("description").asText()).contains("Spring Batch");
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnInstrumenter {
    static final BeanPostProcessor INSTANCE = new BeanPostProcessor() {};

    @Bean
    static BeanPostProcessor durableTrackerBatchInstrumenter() {
      return INSTANCE;
    }
  }
}
