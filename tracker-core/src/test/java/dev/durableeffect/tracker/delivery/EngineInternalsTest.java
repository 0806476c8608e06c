package dev.durableeffect.tracker.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.durableeffect.tracker.TestEvents;
import dev.durableeffect.tracker.event.WorkflowEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The engine's queue and scratch buffer, tested directly. */
class EngineInternalsTest {

  @Test
  void theScratchBufferStopsAtItsLimitAndShrinksAfterALargeEvent() {
    EventBuffer buffer = new EventBuffer(1024 * 1024);
    buffer.write(new byte[300 * 1024], 0, 300 * 1024);
    assertThat(buffer.capacity()).isGreaterThan(EventBuffer.RETAINED_CAPACITY);

    buffer.reset();

    assertThat(buffer.capacity()).isLessThanOrEqualTo(EventBuffer.RETAINED_CAPACITY);
    buffer.write(new byte[1024 * 1024], 0, 1024 * 1024);
    assertThatThrownBy(() -> buffer.write(1))
        .isInstanceOf(EventBuffer.LimitExceeded.class);
    assertThat(buffer.capacity()).isEqualTo(1024 * 1024);
  }

  @Test
  void theScratchBufferKeepsWhatWasWrittenAndItsMemoryUpToTheRetainedCapacity() {
    EventBuffer buffer = new EventBuffer(1024 * 1024);
    buffer.write('{');
    buffer.write("\"n\":1".getBytes(java.nio.charset.StandardCharsets.UTF_8), 0, 5);
    buffer.write('}');
    assertThat(buffer.size()).isEqualTo(7);
    assertThat(new String(buffer.toByteArray(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("{\"n\":1}");

    buffer.write(new byte[EventBuffer.RETAINED_CAPACITY - 7], 0, EventBuffer.RETAINED_CAPACITY - 7);
    assertThat(buffer.capacity()).as("grown by doubling to exactly the retained capacity").isEqualTo(EventBuffer.RETAINED_CAPACITY);
    buffer.reset();

    assertThat(buffer.size()).isZero();
    assertThat(buffer.capacity()).as("kept: not beyond the retained capacity").isEqualTo(EventBuffer.RETAINED_CAPACITY);
  }

  @Test
  void theQueueSizeIsNeverNegative() throws Exception {
    EventQueue queue = new EventQueue(64);
    WorkflowEvent event = TestEvents.numbered(1);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong negative = new AtomicLong();
    Thread reader =
        new Thread(
            () -> {
              while (!stop.get()) {
                if (queue.size() < 0) {
                  negative.incrementAndGet();
                }
              }
            });
    reader.start();
    List<WorkflowEvent> sink = new ArrayList<>();
    for (int i = 0; i < 2_000_000; i++) {
      queue.offer(event);
      queue.drainTo(sink, 1);
      sink.clear();
    }
    stop.set(true);
    reader.join();

    assertThat(negative.get()).isZero();
  }

  @Test
  void aClosedQueueRefusesOffersAndReportsItsFinalCount() {
    EventQueue queue = new EventQueue(8);
    assertThat(queue.offer(TestEvents.numbered(1))).isEqualTo(1);
    assertThat(queue.offer(TestEvents.numbered(2))).isEqualTo(2);

    assertThat(queue.close()).isEqualTo(2);

    assertThat(queue.offer(TestEvents.numbered(3))).isEqualTo(EventQueue.CLOSED);
    assertThat(queue.accepted()).isEqualTo(2);
    assertThat(queue.size()).isEqualTo(2);
    assertThat(queue.close()).isEqualTo(2);
  }
}
