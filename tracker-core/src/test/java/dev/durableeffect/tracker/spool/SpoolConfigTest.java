package dev.durableeffect.tracker.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SpoolConfigTest {

  private static final Path DIR = Path.of("/var/spool/tracker");

  @Test
  void defaults() {
    SpoolConfig config = SpoolConfig.builder(DIR).build();

    assertThat(config)
        .isEqualTo(new SpoolConfig(DIR, 268_435_456L, Duration.ofDays(7), Duration.ofSeconds(1)));
  }

  @Test
  void theLimitsThemselvesAreAccepted() {
    SpoolConfig config =
        SpoolConfig.builder(DIR)
            .maxBytes(1_048_576)
            .maxAge(Duration.ofDays(36_500))
            .syncInterval(Duration.ofDays(1))
            .build();

    assertThat(config.maxBytes()).isEqualTo(1_048_576);
    assertThat(SpoolConfig.builder(DIR).syncInterval(Duration.ZERO).build().syncInterval()).isZero();
  }

  @Test
  void tooFewMaxBytesNamesTheFieldAndTheValue() {
    assertThatThrownBy(() -> SpoolConfig.builder(DIR).maxBytes(10).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxBytes must be at least 1048576 (1 MiB), was 10");
  }

  @ParameterizedTest
  @CsvSource({"PT0S", "PT-1S", "PT876024H"})
  void aBadMaxAgeNamesTheFieldAndTheValue(Duration maxAge) {
    assertThatThrownBy(() -> SpoolConfig.builder(DIR).maxAge(maxAge).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxAge must be positive and at most 36500 days, was " + maxAge);
  }

  @ParameterizedTest
  @CsvSource({"PT-0.001S", "PT24H0.001S"})
  void aBadSyncIntervalNamesTheFieldAndTheValue(Duration syncInterval) {
    assertThatThrownBy(() -> SpoolConfig.builder(DIR).syncInterval(syncInterval).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("syncInterval must be between PT0S and 1 day (PT24H), was " + syncInterval);
  }

  @Test
  void aMissingDirectoryIsNamed() {
    assertThatThrownBy(() -> new SpoolConfig(null, 1L << 30, Duration.ofDays(1), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("directory must not be null");
  }

  @ParameterizedTest
  @CsvSource({
    "1048576,262144", "2097152,262144", "4194304,524288", "268435456,33554432", "536870912,67108864",
    "10737418240,67108864"
  })
  void segmentsAreAnEighthOfMaxBytesWithin256KibAnd64Mib(long maxBytes, long segmentBytes) {
    assertThat(SpoolConfig.builder(DIR).maxBytes(maxBytes).build().segmentBytes()).isEqualTo(segmentBytes);
  }
}
