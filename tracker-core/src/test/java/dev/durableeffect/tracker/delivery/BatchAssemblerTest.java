package dev.durableeffect.tracker.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.durableeffect.tracker.TestEvents;
import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.spool.SpoolRecord;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the assembler cuts the events taken into batches by {@code maxBatchBytes}. */
class BatchAssemblerTest {

  private final DeliveryCounters counters = new DeliveryCounters(Clock.systemUTC());

  private static EngineSettings settings(int maxBatchBytes) {
    return new EngineSettings(
        "test", "svc", 1000, 100, 100, Duration.ofHours(1), 64 * 1024, maxBatchBytes, Duration.ofSeconds(1),
        "assembler-test", "scripted", null);
  }

  private BatchAssembler.Taken taken(List<WorkflowEvent> events) {
    return new BatchAssembler.Taken(new ArrayList<>(events), counters.taken(0, events.size()));
  }

  @Test
  void aBodyOfExactlyMaxBatchBytesIsOneBatchAndOneByteLessSplitsIt() {
    List<WorkflowEvent> events = List.of(TestEvents.numbered(1), TestEvents.numbered(2), TestEvents.numbered(3));
    BatchAssembler.Drops noDrops = (span, reason, detail) -> {
      throw new AssertionError("dropped: " + reason);
    };
    List<SpoolRecord> all = new BatchAssembler(settings(1024 * 1024)).next(taken(events), noDrops);
    assertThat(all).hasSize(3);
    int firstTwo = OutgoingBatch.bodyBytes(all.get(0).json().length + all.get(1).json().length, 2);

    BatchAssembler.Taken exact = taken(events);
    BatchAssembler assembler = new BatchAssembler(settings(firstTwo));
    assertThat(assembler.next(exact, noDrops)).extracting(SpoolRecord::eventId)
        .containsExactly(all.get(0).eventId(), all.get(1).eventId());
    assertThat(assembler.next(exact, noDrops)).extracting(SpoolRecord::eventId).containsExactly(all.get(2).eventId());
    assertThat(exact.isEmpty()).isTrue();

    BatchAssembler.Taken under = taken(events);
    BatchAssembler smaller = new BatchAssembler(settings(firstTwo - 1));
    assertThat(smaller.next(under, noDrops)).hasSize(1);
    assertThat(smaller.next(under, noDrops)).hasSize(1);
    assertThat(smaller.next(under, noDrops)).hasSize(1);
  }
}
