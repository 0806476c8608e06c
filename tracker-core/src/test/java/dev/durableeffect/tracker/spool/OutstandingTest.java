package dev.durableeffect.tracker.spool;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The records read and not yet acknowledged, kept as runs of consecutive sequences. */
class OutstandingTest {

  @Test
  void recordsMovedBelowASequenceAreCountedWhereTheyGoAndTheRestStay() {
    Outstanding outstanding = new Outstanding();
    for (long sequence = 5; sequence < 10; sequence++) {
      outstanding.add(sequence, 1_000);
    }
    Outstanding detached = new Outstanding();

    assertThat(outstanding.moveBelow(8, detached)).isEqualTo(3);

    assertThat(outstanding.count()).isEqualTo(2);
    assertThat(outstanding.lowest()).isEqualTo(8);
    assertThat(detached.count()).isEqualTo(3);
    assertThat(detached.lowest()).isEqualTo(5);
    assertThat(detached.remove(0, 100)).isEqualTo(3);
    assertThat(outstanding.remove(0, 100)).isEqualTo(2);
    assertThat(outstanding.isEmpty()).isTrue();
  }

  @Test
  void recordsOnEitherSideOfSkippedSequencesStayApart() {
    Outstanding outstanding = new Outstanding();
    outstanding.add(0, 1_000);
    outstanding.add(1, 1_000);
    outstanding.add(5, 1_000); // 2 to 4 were skipped by the reader

    assertThat(outstanding.remove(0, 2)).isEqualTo(2);

    assertThat(outstanding.lowest()).isEqualTo(5);
    assertThat(outstanding.count()).isEqualTo(1);
    assertThat(outstanding.remove(2, 5)).isZero();
    assertThat(outstanding.remove(5, 6)).isEqualTo(1);
    assertThat(outstanding.isEmpty()).isTrue();
  }

  @Test
  void theOldestTimeIsThatOfTheLowestRecordLeftWhenConsecutiveRecordsHaveDifferentTimes() {
    Outstanding outstanding = new Outstanding();
    outstanding.add(0, 1_000);
    outstanding.add(1, 1_000);
    outstanding.add(2, 2_000);
    outstanding.add(3, 2_000);

    assertThat(outstanding.remove(0, 2)).isEqualTo(2);

    assertThat(outstanding.lowest()).isEqualTo(2);
    assertThat(outstanding.lowestAppendedAt()).isEqualTo(2_000);
    assertThat(outstanding.remove(3, 4)).isEqualTo(1);
    assertThat(outstanding.lowestAppendedAt()).isEqualTo(2_000);
    assertThat(outstanding.count()).isEqualTo(1);
  }
}
