package dev.durableeffect.tracker.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootVersion;

/** The tests run on the Spring Boot line the build selected (default 4.0, {@code -Pboot3} 3.5). */
class BootLineTest {

  @Test
  void runsOnTheSelectedBootLine() {
    assertThat(SpringBootVersion.getVersion()).isEqualTo(System.getProperty("expectedSpringBootVersion"));
  }
}
