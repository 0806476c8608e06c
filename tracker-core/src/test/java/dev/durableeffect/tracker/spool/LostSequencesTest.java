package dev.durableeffect.tracker.spool;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The sequences counted as lost at open, taken once each as the reader passes them. */
class LostSequencesTest {

  @Test
  void separateRangesAreCountedWithoutTheGapBetweenThem() {
    LostSequences lost = new LostSequences();
    lost.add(2, 4);
    lost.add(6, 7);

    assertThat(lost.takeBelow(0, 10)).isEqualTo(3);
  }

  @Test
  void onlyThePartOfARangeWithinTheSpanAskedAboutIsCountedAndTheRestIsKeptForLater() {
    LostSequences lost = new LostSequences();
    lost.add(10, 20);

    assertThat(lost.takeBelow(12, 15)).isEqualTo(3);
    assertThat(lost.takeBelow(15, 30)).isEqualTo(5);
    assertThat(lost.takeBelow(0, 100)).as("each lost sequence is taken once").isZero();
  }
}
