package dev.durableeffect.tracker.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/** Runs the demo: {@code ./mvnw -pl tracker-sample-app -am spring-boot:run}. */
@SpringBootApplication
@EnableConfigurationProperties(DemoProperties.class)
public class SampleApplication {

  /** Starts the demo. */
  public static void main(String[] args) {
    SpringApplication.run(SampleApplication.class, args);
  }
}
