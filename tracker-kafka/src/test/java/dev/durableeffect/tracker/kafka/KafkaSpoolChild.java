package dev.durableeffect.tracker.kafka;

import dev.durableeffect.tracker.event.BaseEvent;
import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.event.WorkflowEvents;
import dev.durableeffect.tracker.spool.SpoolConfig;
import java.nio.file.Path;

/**
 * The process killed in {@link KafkaSpoolCrashTest}: {@code KafkaSpoolChild <spool directory>
 * <bootstrap servers> <topic> <workflows> <events per workflow>}. It emits, at 1,000 events per
 * second, into a Kafka tracker with a spool whose broker is unreachable, prints {@code EMITTED} and
 * waits to be killed.
 */
public final class KafkaSpoolChild {

  private KafkaSpoolChild() {}

  public static void main(String[] args) throws Exception {
    int workflows = Integer.parseInt(args[3]);
    int perWorkflow = Integer.parseInt(args[4]);
    KafkaTracker tracker =
        KafkaTracker.create(
            KafkaTrackerConfig.builder()
                .bootstrapServers(args[1])
                .topic(args[2])
                .env("test")
                .serviceKey("orders")
                .spool(SpoolConfig.builder(Path.of(args[0])).build())
                .build());
    int emitted = 0;
    for (int n = 0; n < perWorkflow; n++) {
      for (int w = 0; w < workflows; w++) {
        tracker.emit(step("wf-" + w, n));
        if (++emitted % 100 == 0) {
          Thread.sleep(100);
        }
      }
    }
    // The guarantee assumes the sender keeps up; on a loaded machine a cold JVM may not at once.
    // Announce only once every event has left the queue for the spool.
    while (tracker.queueSize() > 0) {
      Thread.sleep(10);
    }
    System.out.println("EMITTED " + emitted);
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }

  /** An event whose step name carries its place in the workflow's sequence. */
  static WorkflowEvent step(String workflowId, int n) {
    BaseEvent base = WorkflowEvents.createBaseEvent(workflowId, "processOrder", "exec-" + workflowId);
    return new WorkflowEvent.StepStarted(base, String.format("step-%05d", n), 1);
  }
}
