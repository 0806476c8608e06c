package dev.durableeffect.tracker.benchmarks;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import dev.durableeffect.tracker.event.BaseEvent;
import dev.durableeffect.tracker.event.WorkflowEvents;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Where the cost of creating an event goes: the id, the timestamp, and the whole base event, with
 * the parts the tracker used before (java-uuid-generator's shared UUID v7 generator, {@code
 * Instant.now()} truncated to milliseconds) beside the ones it uses now.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 200, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 10, time = 200, timeUnit = TimeUnit.MILLISECONDS)
@Fork(1)
public class EventCreationBenchmark {

  private static final TimeBasedEpochGenerator JUG = Generators.timeBasedEpochGenerator();

  @Benchmark
  public String idJugSharedGenerator() {
    return JUG.generate().toString();
  }

  @Benchmark
  public String idOwnGenerator() {
    return WorkflowEvents.newEventId();
  }

  @Benchmark
  public Instant timestampInstantNowTruncated() {
    return Instant.now().truncatedTo(ChronoUnit.MILLIS);
  }

  @Benchmark
  public Instant timestampCurrentTimeMillis() {
    return Instant.ofEpochMilli(System.currentTimeMillis());
  }

  @Benchmark
  public BaseEvent baseEventBefore() {
    return new BaseEvent(
        JUG.generate().toString(), Instant.now().truncatedTo(ChronoUnit.MILLIS), "wf-42", "order-fulfillment", "exec-42");
  }

  @Benchmark
  public BaseEvent baseEventNow() {
    return WorkflowEvents.createBaseEvent("wf-42", "order-fulfillment", "exec-42");
  }
}
