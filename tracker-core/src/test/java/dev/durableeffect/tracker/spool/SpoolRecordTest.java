package dev.durableeffect.tracker.spool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Records compare by every component, the JSON by content, and never show the JSON. */
class SpoolRecordTest {

  private static byte[] json(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static SpoolRecord record() {
    return new SpoolRecord(7, 1_000, "order-1", "evt-1", "step.completed", json("{\"secret\":\"s3cr3t\"}"));
  }

  @Test
  void recordsWithEqualComponentsAndJsonOfTheSameContentAreEqualWithTheSameHash() {
    SpoolRecord a = record();
    SpoolRecord b = record();

    assertThat(a.json()).isNotSameAs(b.json());
    assertThat(a).isEqualTo(b);
    assertThat(a.hashCode()).isEqualTo(b.hashCode());
  }

  @Test
  void aRecordDifferingInAnyOneComponentIsNotEqual() {
    SpoolRecord a = record();
    List<SpoolRecord> others =
        List.of(
            new SpoolRecord(8, a.appendedAtMillis(), a.workflowId(), a.eventId(), a.type(), a.json()),
            new SpoolRecord(a.sequence(), 1_001, a.workflowId(), a.eventId(), a.type(), a.json()),
            new SpoolRecord(a.sequence(), a.appendedAtMillis(), "order-2", a.eventId(), a.type(), a.json()),
            new SpoolRecord(a.sequence(), a.appendedAtMillis(), a.workflowId(), "evt-2", a.type(), a.json()),
            new SpoolRecord(a.sequence(), a.appendedAtMillis(), a.workflowId(), a.eventId(), "step.failed", a.json()),
            new SpoolRecord(a.sequence(), a.appendedAtMillis(), a.workflowId(), a.eventId(), a.type(), json("{}")));

    assertThat(others).allSatisfy(other -> assertThat(other).isNotEqualTo(a));
    assertThat(a).isNotEqualTo("order-1");
  }

  @Test
  void toStringNamesTheRecordAndTheSizeOfItsJsonButNotTheJson() {
    assertThat(record())
        .hasToString(
            "SpoolRecord[sequence=7, appendedAtMillis=1000, workflowId=order-1, eventId=evt-1, type=step.completed,"
                + " json=19 bytes]");
  }
}
