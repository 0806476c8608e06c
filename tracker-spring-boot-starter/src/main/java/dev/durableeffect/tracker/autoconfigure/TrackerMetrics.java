package dev.durableeffect.tracker.autoconfigure;

import dev.durableeffect.tracker.DropReason;
import dev.durableeffect.tracker.EventTracker;
import dev.durableeffect.tracker.delivery.DeliveringTracker;
import dev.durableeffect.tracker.http.SendOutcome;
import dev.durableeffect.tracker.spool.SpoolStatus;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter.MeterProvider;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Binds the tracker's own counters to Micrometer: meters read {@link EventTracker#stats()}, so
 * nothing is counted twice. HTTP requests are timed through a send listener. The starter registers
 * one for the context's tracker; define a bean of this type yourself to bind another tracker instead.
 */
public final class TrackerMetrics implements MeterBinder {

  private final EventTracker tracker;

  /** Meters of {@code tracker}, tagged with its type ({@code http}, {@code kafka}, {@code noop}, {@code in-memory}, {@code custom}). */
  public TrackerMetrics(EventTracker tracker) {
    this.tracker = tracker;
  }

  /** Registers the meters; called once by Micrometer with the registry. */
  @Override
  public void bindTo(MeterRegistry registry) {
    String kind = TrackerKind.of(tracker);
    Tags tags = Tags.of("tracker.type", kind);
    // Only HTTP sends have a status; a Kafka batch's outcome is its tag.
    boolean httpStatus = kind.equals("http");
    events(registry, tags.and("outcome", "emitted"), "Events handed to the tracker", t -> t.stats().emitted());
    events(registry, tags.and("outcome", "delivered"), "Events the endpoint acknowledged", t -> t.stats().delivered());
    for (DropReason reason : DropReason.values()) {
      events(
          registry,
          tags.and("outcome", "dropped").and("reason", reason.name()),
          "Events given up on, by reason",
          t -> t.stats().dropped(reason));
    }
    if (tracker instanceof DeliveringTracker http) {
      Gauge.builder("durable.tracker.queue.size", http, DeliveringTracker::queueSize)
          .tags(tags)
          .description("Events waiting in the queue")
          .register(registry);
      Gauge.builder("durable.tracker.queue.capacity", http, DeliveringTracker::queueCapacity)
          .tags(tags)
          .description("Events the queue holds at most (max-queue-size)")
          .register(registry);
      // Built once; each request only picks the timer of its status and outcome.
      MeterProvider<Timer> sends =
          Timer.builder("durable.tracker.send")
              .tags(tags)
              .description("Sends to the destination (HTTP requests, Kafka batches)")
              .withRegistry(registry);
      DistributionSummary batchSize =
          DistributionSummary.builder("durable.tracker.batch.size")
              .tags(tags)
              .baseUnit("events")
              .description("Events per request")
              .register(registry);
      http.addSendListener(
          report -> {
            sends
                .withTags(
                    "status",
                    !httpStatus ? "NONE" : report.status() == 0 ? "IO_ERROR" : String.valueOf(report.status()),
                    "outcome", report.outcome().name().toLowerCase(Locale.ROOT))
                .record(report.duration());
            if (report.outcome() == SendOutcome.SUCCESS || report.outcome() == SendOutcome.RETRY) {
              batchSize.record(report.events());
            }
          });
      if (http.spoolStatus() != null) {
        spoolGauges(registry, tags, http);
      }
    } else {
      Gauge.builder("durable.tracker.queue.size", tracker, EventTracker::pending)
          .tags(tags)
          .description("Events held by the tracker")
          .register(registry);
    }
  }

  private static void spoolGauges(MeterRegistry registry, Tags tags, DeliveringTracker tracker) {
    Gauge.builder("durable.tracker.spool.bytes", tracker, t -> spool(t, SpoolStatus::bytes))
        .tags(tags)
        .baseUnit("bytes")
        .description("Bytes of the disk spool's segment files")
        .register(registry);
    Gauge.builder("durable.tracker.spool.segments", tracker, t -> spool(t, SpoolStatus::segments))
        .tags(tags)
        .description("Segment files of the disk spool")
        .register(registry);
    TimeGauge.builder(
            "durable.tracker.spool.oldest-age",
            tracker,
            TimeUnit.MILLISECONDS,
            t -> spool(t, status -> status.oldestAge().toMillis()))
        .tags(tags)
        .description("Age of the oldest undelivered event in the disk spool")
        .register(registry);
  }

  private static double spool(DeliveringTracker tracker, java.util.function.ToDoubleFunction<SpoolStatus> value) {
    SpoolStatus status = tracker.spoolStatus();
    return status == null ? 0 : value.applyAsDouble(status);
  }

  private void events(
      MeterRegistry registry, Tags tags, String description, java.util.function.ToDoubleFunction<EventTracker> count) {
    FunctionCounter.builder("durable.tracker.events", tracker, count)
        .tags(tags)
        .description(description)
        .register(registry);
  }
}
