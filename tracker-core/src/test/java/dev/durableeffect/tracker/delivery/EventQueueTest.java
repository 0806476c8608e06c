package dev.durableeffect.tracker.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.durableeffect.tracker.TestEvents;
import dev.durableeffect.tracker.event.WorkflowEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bounded queue between callers and the sender: its bound, order, depth and close. */
class EventQueueTest {

  @Test
  void holdsExactlyItsCapacityWhenThatIsNotAPowerOfTwo() {
    EventQueue queue = new EventQueue(3);
    List<WorkflowEvent> offered = List.of(TestEvents.numbered(1), TestEvents.numbered(2), TestEvents.numbered(3));

    assertThat(queue.offer(offered.get(0))).isEqualTo(1);
    assertThat(queue.offer(offered.get(1))).isEqualTo(2);
    assertThat(queue.offer(offered.get(2))).isEqualTo(3);
    assertThat(queue.offer(TestEvents.numbered(4))).isEqualTo(EventQueue.FULL);
    assertThat(queue.size()).isEqualTo(3);
    assertThat(queue.accepted()).isEqualTo(3);
    assertThat(queue.capacity()).isEqualTo(3);
    List<WorkflowEvent> drained = new ArrayList<>();
    assertThat(queue.drainTo(drained, 10)).isEqualTo(3);
    assertThat(drained).containsExactlyElementsOf(offered);
  }

  @Test
  void aQueueOfOneHoldsOne() {
    EventQueue queue = new EventQueue(1);

    assertThat(queue.offer(TestEvents.numbered(1))).isEqualTo(1);
    assertThat(queue.offer(TestEvents.numbered(2))).isEqualTo(EventQueue.FULL);
    List<WorkflowEvent> out = new ArrayList<>();
    assertThat(queue.drainTo(out, 10)).isEqualTo(1);
    assertThat(queue.offer(TestEvents.numbered(3))).isEqualTo(1);
  }

  @Test
  void capacityOutsideItsRangeIsRefused() {
    assertThatThrownBy(() -> new EventQueue(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new EventQueue(EventQueue.MAX_CAPACITY + 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(String.valueOf(EventQueue.MAX_CAPACITY + 1));
  }

  @Test
  void roomFreedByTheSenderIsReusedAndTheDepthReportedIsExactWhenNearFull() {
    EventQueue queue = new EventQueue(3);
    for (int i = 0; i < 3; i++) {
      queue.offer(TestEvents.numbered(i));
    }
    List<WorkflowEvent> out = new ArrayList<>();
    assertThat(queue.drainTo(out, 2)).isEqualTo(2);

    assertThat(queue.offer(TestEvents.numbered(3))).isEqualTo(2);
    assertThat(queue.offer(TestEvents.numbered(4))).isEqualTo(3);
    assertThat(queue.offer(TestEvents.numbered(5))).isEqualTo(EventQueue.FULL);
    assertThat(queue.taken()).isEqualTo(2);
    assertThat(queue.size()).isEqualTo(3);
  }

  @Test
  void drainsInOfferOrderAcrossTheRingsWrapAndNeverMoreThanAsked() {
    EventQueue queue = new EventQueue(5);
    List<WorkflowEvent> offered = new ArrayList<>();
    List<WorkflowEvent> drained = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      WorkflowEvent event = TestEvents.numbered(i);
      offered.add(event);
      assertThat(queue.offer(event)).isPositive();
      if (queue.size() == 4) {
        assertThat(queue.drainTo(drained, 3)).isEqualTo(3);
      }
    }
    while (queue.size() > 0) {
      assertThat(queue.drainTo(drained, 2)).isBetween(1, 2);
    }

    assertThat(drained).containsExactlyElementsOf(offered);
    assertThat(queue.taken()).isEqualTo(100);
    assertThat(queue.drainTo(drained, 2)).isZero();
  }

  @Test
  void theHeadIsPublishedOnlyWhileAnEventWaits() {
    EventQueue queue = new EventQueue(4);
    assertThat(queue.headPublished()).isFalse();

    queue.offer(TestEvents.numbered(1));
    assertThat(queue.headPublished()).isTrue();

    queue.drainTo(new ArrayList<>(), 4);
    assertThat(queue.headPublished()).isFalse();
  }

  @Test
  void anEmptyQueueOnceClosedRefusesEveryOffer() {
    EventQueue queue = new EventQueue(4);

    assertThat(queue.close()).isZero();

    assertThat(queue.offer(TestEvents.numbered(1))).isEqualTo(EventQueue.CLOSED);
    assertThat(queue.accepted()).isZero();
    assertThat(queue.size()).isZero();
    assertThat(queue.close()).isZero();
  }

  @Test
  void aFullQueueOnceClosedSaysClosedNotFull() {
    EventQueue queue = new EventQueue(1);
    queue.offer(TestEvents.numbered(1));

    assertThat(queue.close()).isEqualTo(1);

    assertThat(queue.offer(TestEvents.numbered(2))).isEqualTo(EventQueue.CLOSED);
  }
}
