package dev.durableeffect.tracker.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.durableeffect.tracker.spool.SpoolRecord;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A batch as transports read it: its events' keys, the HTTP body and its length, the attachment. */
class OutgoingBatchTest {

  private static SpoolRecord record(String workflowId, String eventId, String type, String json) {
    return SpoolRecord.of(workflowId, eventId, type, json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void eachEventsKeysAreThoseOfItsRecord() {
    OutgoingBatch batch =
        new OutgoingBatch(
            List.of(record("wf-1", "e1", "workflow.started", "{}"), record("wf-2", "e2", "step.completed", "{}")),
            null,
            null);

    assertThat(batch.size()).isEqualTo(2);
    assertThat(batch.workflowId(1)).isEqualTo("wf-2");
    assertThat(batch.eventId(1)).isEqualTo("e2");
    assertThat(batch.type(0)).isEqualTo("workflow.started");
    assertThat(batch.type(1)).isEqualTo("step.completed");
  }

  @Test
  void theBodyWrapsTheEventsInOrderAndItsLengthIsKnownBeforeItIsBuilt() {
    String first = "{\"eventId\":\"e1\"}";
    String second = "{\"eventId\":\"e2\",\"n\":2}";
    String third = "{\"eventId\":\"é3\"}";
    OutgoingBatch batch =
        new OutgoingBatch(
            List.of(record("wf", "e1", "workflow.started", first), record("wf", "e2", "workflow.started", second),
                record("wf", "é3", "workflow.started", third)),
            null,
            null);

    byte[] body = batch.body();

    assertThat(new String(body, StandardCharsets.UTF_8)).isEqualTo("{\"events\":[" + first + "," + second + "," + third + "]}");
    int eventBytes =
        first.getBytes(StandardCharsets.UTF_8).length
            + second.getBytes(StandardCharsets.UTF_8).length
            + third.getBytes(StandardCharsets.UTF_8).length;
    assertThat(OutgoingBatch.bodyBytes(eventBytes, 3)).isEqualTo(body.length);
    assertThat(OutgoingBatch.bodyBytes(0, 0)).isEqualTo("{\"events\":[]}".length());
    assertThat(new OutgoingBatch(List.of(), null, null).body()).asString(StandardCharsets.UTF_8).isEqualTo("{\"events\":[]}");
  }

  @Test
  void anAttachmentIsKeptWithTheBatchUntilReplaced() {
    OutgoingBatch batch = new OutgoingBatch(List.of(record("wf", "e1", "workflow.started", "{}")), null, null);
    assertThat(batch.attachment()).isNull();
    Object encoded = new Object();

    batch.attach(encoded);

    assertThat(batch.attachment()).isSameAs(encoded);
    batch.attach(null);
    assertThat(batch.attachment()).isNull();
  }
}
