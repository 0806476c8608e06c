package dev.durableeffect.tracker.bomcheck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.durableeffect.tracker.EventTracker;
import dev.durableeffect.tracker.autoconfigure.DurableTrackerAutoConfiguration;
import dev.durableeffect.tracker.kafka.KafkaTracker;
import java.io.InputStream;
import java.net.URL;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** This module declares the starter, core and the Kafka output without versions; tracker-bom supplies them. */
class BomAlignmentTest {

  @Test
  void theStarterAndCoreResolveThroughTheBomAtTheSameVersion() throws Exception {
    String expected = System.getProperty("expectedVersion");
    Properties version = new Properties();
    try (InputStream in =
        EventTracker.class.getResourceAsStream("/dev/durableeffect/tracker/http/tracker-version.properties")) {
      version.load(in);
    }

    assertThat(version.getProperty("version")).isEqualTo(expected);
    assertThat(location(EventTracker.class)).contains("tracker-core");
    assertThat(location(DurableTrackerAutoConfiguration.class)).contains("tracker-spring-boot-starter");
    assertThat(location(KafkaTracker.class)).contains("tracker-kafka");
  }

  private static String location(Class<?> type) {
    URL url = type.getProtectionDomain().getCodeSource().getLocation();
    return url.toString();
  }
}
