package dev.durableeffect.tracker.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.durableeffect.tracker.DropReason;
import dev.durableeffect.tracker.TrackerStats;
import dev.durableeffect.tracker.event.BaseEvent;
import dev.durableeffect.tracker.event.WireEvent;
import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.event.WorkflowEvents;
import dev.durableeffect.tracker.http.Compression;
import dev.durableeffect.tracker.http.HttpBatchTracker;
import dev.durableeffect.tracker.http.HttpBatchTrackerConfig;
import dev.durableeffect.tracker.http.SendOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The promise under many faults at once: every event the tracker was given is delivered, or
 * counted as dropped with the reason the endpoint caused; the caller is never blocked.
 */
@ExtendWith(SeedReporter.class)
class FaultInjectionTest {

  private static final long SEED = SeedReporter.SEED;

  @Test
  void fourThreadsThroughAStormAccountForEveryEvent() throws Exception {
    System.out.println("storm scenario, seed " + SEED);
    int maxAttempts = 4;
    try (FaultySink sink = new FaultySink(SEED, 80 * 1024, Duration.ofMillis(700), "1")) {
      HttpBatchTracker tracker =
          HttpBatchTracker.create(
              config(sink, "storm")
                  .compression(Compression.NONE)
                  .batchSize(200)
                  .flushInterval(Duration.ofMillis(100))
                  .requestTimeout(Duration.ofMillis(400))
                  .maxAttempts(maxAttempts)
                  .initialDelay(Duration.ofMillis(20))
                  .maxDelay(Duration.ofMillis(200))
                  .maxQueueSize(10_000)
                  .shutdownTimeout(Duration.ofSeconds(5))
                  .build());
      Set<String> succeededKeys = ConcurrentHashMap.newKeySet();
      tracker.addSendListener(
          report -> {
            if (report.outcome() == SendOutcome.SUCCESS) {
              succeededKeys.add(report.idempotencyKey());
            }
          });
      EmitLatency latency = new EmitLatency();
      Set<String> emitted = ConcurrentHashMap.newKeySet();

      emitConcurrently(tracker, 4, 12_500, Duration.ofSeconds(20), SEED, emitted, latency);
      tracker.close();

      TrackerStats stats = tracker.stats();
      Map<FaultySink.Fault, Long> events = sink.eventsByFault();
      System.out.println(stats);
      System.out.println("requests by fault " + sink.requestsByFault());
      System.out.println(latency.summary());

      assertThat(emitted).hasSize(50_000);
      assertThat(stats.emitted()).isEqualTo(50_000);
      assertThat(stats.pending()).isZero();
      assertThat(stats.emitted()).isEqualTo(stats.delivered() + stats.dropped());
      // Every event counted delivered is in a request the sink acknowledged, and only once.
      List<String> delivered = new ArrayList<>();
      succeededKeys.forEach(key -> delivered.addAll(sink.acknowledgedIds(key)));
      assertThat(delivered).doesNotHaveDuplicates().hasSize((int) stats.delivered());
      assertThat(sink.processed.keySet()).containsAll(delivered);
      // Every id the sink saw was emitted.
      assertThat(emitted).containsAll(sink.processed.keySet());
      // Duplicates arise only from answers lost after the sink processed the events: dropped
      // after reading, too slow, or a 2xx that reached the client after its timeout.
      Set<String> lostAnswers = new HashSet<>();
      synchronized (sink.requests) {
        Map<String, Long> acknowledgedPerKey = new HashMap<>();
        sink.requests.stream()
            .filter(r -> r.fault() == FaultySink.Fault.OK)
            .forEach(r -> acknowledgedPerKey.merge(r.idempotencyKey(), 1L, Long::sum));
        for (FaultySink.Request request : sink.requests) {
          boolean answerLost =
              request.fault() == FaultySink.Fault.DROP_AFTER_READ
                  || request.fault() == FaultySink.Fault.SLOW
                  || (request.fault() == FaultySink.Fault.OK
                      && (!succeededKeys.contains(request.idempotencyKey())
                          || acknowledgedPerKey.get(request.idempotencyKey()) > 1));
          if (answerLost) {
            lostAnswers.addAll(request.ids());
          }
        }
      }
      sink.processed.forEach(
          (id, count) -> {
            if (count.get() > 1) {
              assertThat(lostAnswers).as("event %s processed %d times", id, count.get()).contains(id);
            }
          });
      // Drop reasons match what the sink did.
      assertThat(stats.dropped(DropReason.REJECTED)).isEqualTo(events.getOrDefault(FaultySink.Fault.BAD_REQUEST, 0L));
      assertThat(stats.dropped(DropReason.TOO_LARGE)).isZero();
      assertThat(stats.dropped(DropReason.NOT_SERIALIZABLE)).isZero();
      assertThat(stats.dropped(DropReason.INVALID)).isZero();
      long retryableFailureEvents =
          events.getOrDefault(FaultySink.Fault.UNAVAILABLE, 0L)
              + events.getOrDefault(FaultySink.Fault.TOO_MANY_REQUESTS, 0L)
              + events.getOrDefault(FaultySink.Fault.DROP_AFTER_READ, 0L)
              + events.getOrDefault(FaultySink.Fault.SLOW, 0L);
      // An exhausted batch failed maxAttempts times (drops before reading are not counted here).
      assertThat(stats.dropped(DropReason.RETRIES_EXHAUSTED) * maxAttempts)
          .isLessThanOrEqualTo(retryableFailureEvents + sink.requestsByFault().getOrDefault(FaultySink.Fault.DROP_BEFORE_READ, 0L) * 200);
      assertThat(sink.requestsByFault().getOrDefault(FaultySink.Fault.TOO_LARGE, 0L)).as("413 splits happened").isPositive();
      assertThat(sink.requestsByFault().keySet()).as("the storm exercised every fault")
          .contains(FaultySink.Fault.OK, FaultySink.Fault.UNAVAILABLE, FaultySink.Fault.TOO_MANY_REQUESTS,
              FaultySink.Fault.DROP_BEFORE_READ, FaultySink.Fault.DROP_AFTER_READ, FaultySink.Fault.SLOW,
              FaultySink.Fault.BAD_REQUEST, FaultySink.Fault.TOO_LARGE);
      latency.assertCallersNeverWaited();
    }
  }

  @Test
  void aStormWithInputsThrowingErrorsStillAccountsForEveryEvent() throws Exception {
    System.out.println("storm with throwing inputs, seed " + SEED);
    try (FaultySink sink = new FaultySink(SEED, 80 * 1024, Duration.ofMillis(700), "1")) {
      HttpBatchTracker tracker =
          HttpBatchTracker.create(
              config(sink, "storm-errors")
                  .batchSize(200)
                  .flushInterval(Duration.ofMillis(100))
                  .requestTimeout(Duration.ofMillis(400))
                  .maxAttempts(4)
                  .initialDelay(Duration.ofMillis(20))
                  .maxDelay(Duration.ofMillis(200))
                  .shutdownTimeout(Duration.ofSeconds(5))
                  .build());
      EmitLatency latency = new EmitLatency();
      Set<String> emitted = ConcurrentHashMap.newKeySet();
      Set<String> hostile = ConcurrentHashMap.newKeySet();

      emitConcurrently(tracker, 4, 5_000, Duration.ofSeconds(8), SEED, emitted, latency, 40, hostile, new AtomicLong());
      assertThat(tracker.flush(Duration.ofSeconds(30))).as("flush completes despite the errors").isTrue();
      tracker.close();

      TrackerStats stats = tracker.stats();
      System.out.println(stats + ", " + hostile.size() + " hostile inputs");
      System.out.println(latency.summary());
      assertThat(hostile).isNotEmpty();
      assertThat(stats.emitted()).isEqualTo(20_000);
      assertThat(stats.pending()).isZero();
      assertThat(stats.emitted()).isEqualTo(stats.delivered() + stats.dropped());
      assertThat(stats.dropped(DropReason.NOT_SERIALIZABLE)).isEqualTo(hostile.size());
      assertThat(stats.dropped(DropReason.INTERNAL_ERROR)).isZero();
      assertThat(stats.dropped(DropReason.CLOSED)).isZero();
      assertThat(sink.processed.keySet()).doesNotContainAnyElementsOf(hostile);
      assertThat(stats.delivered()).isPositive();
      latency.assertCallersNeverWaited();
    }
  }

  @Test
  void anOutageLongerThanTheRetryBudgetKeepsMemoryBoundedAndRecovers() throws Exception {
    System.out.println("outage scenario, seed " + SEED);
    try (FaultySink sink = new FaultySink(SEED, Integer.MAX_VALUE, Duration.ZERO, "1")) {
      sink.mode(FaultySink.Mode.DOWN);
      int maxQueueSize = 500;
      HttpBatchTracker tracker =
          HttpBatchTracker.create(
              config(sink, "outage")
                  .compression(Compression.GZIP)
                  .batchSize(50)
                  .maxBatchSize(100)
                  .flushInterval(Duration.ofMillis(50))
                  .maxAttempts(2)
                  .initialDelay(Duration.ofMillis(20))
                  .maxDelay(Duration.ofMillis(40))
                  .maxQueueSize(maxQueueSize)
                  .build());
      // Sampled by the emitting threads after every emit, when the queue is fullest.
      AtomicLong maxPending = new AtomicLong();
      EmitLatency latency = new EmitLatency();
      Set<String> emitted = ConcurrentHashMap.newKeySet();

      emitConcurrently(tracker, 2, 10_000, Duration.ofSeconds(3), SEED, emitted, latency, 0, ConcurrentHashMap.newKeySet(), maxPending);
      TrackerStats duringOutage = tracker.stats();
      assertThat(tracker.flush(Duration.ofSeconds(10))).isTrue();
      TrackerStats afterOutage = tracker.stats();

      sink.mode(FaultySink.Mode.HEALTHY);
      Set<String> afterRecovery = ConcurrentHashMap.newKeySet();
      // Slow enough that a busy 2-core machine keeps up: this phase checks that delivery resumes.
      emitConcurrently(tracker, 2, 1_000, Duration.ofSeconds(3), SEED + 1, afterRecovery, latency);
      assertThat(tracker.flush(Duration.ofSeconds(10))).isTrue();
      tracker.close();

      TrackerStats stats = tracker.stats();
      System.out.println("during " + duringOutage + "\nafter " + stats + "\nmax pending " + maxPending.get());
      System.out.println(latency.summary());
      assertThat(maxPending.get()).as("the README's bound: max-queue-size + 2 x max-batch-size").isLessThanOrEqualTo(maxQueueSize + 2 * 100);
      assertThat(maxPending.get()).as("the queue did fill up").isGreaterThanOrEqualTo(maxQueueSize);
      assertThat(afterOutage.delivered()).isZero();
      assertThat(afterOutage.dropped(DropReason.QUEUE_FULL)).isPositive();
      assertThat(afterOutage.dropped(DropReason.RETRIES_EXHAUSTED)).isPositive();
      assertThat(afterOutage.dropped())
          .isEqualTo(afterOutage.dropped(DropReason.QUEUE_FULL) + afterOutage.dropped(DropReason.RETRIES_EXHAUSTED));
      assertThat(stats.delivered()).isEqualTo(2_000);
      assertThat(sink.acknowledged).containsExactlyInAnyOrderElementsOf(afterRecovery);
      assertThat(stats.emitted()).isEqualTo(stats.delivered() + stats.dropped()).isEqualTo(22_000);
      latency.assertCallersNeverWaited();
    }
  }

  @Test
  void hostileInputIsDroppedAloneAndTheGoodEventsAroundItArriveIntact() throws Exception {
    try (FaultySink sink = new FaultySink(SEED, Integer.MAX_VALUE, Duration.ZERO, "1")) {
      sink.mode(FaultySink.Mode.HEALTHY);
      HttpBatchTracker tracker =
          HttpBatchTracker.create(
              config(sink, "hostile")
                  .batchSize(20)
                  .maxEventBytes(16 * 1024)
                  .maxBatchBytes(64 * 1024)
                  .build());
      Map<String, Object> cyclic = new HashMap<>();
      cyclic.put("self", List.of(cyclic));
      Object throwing =
          new Object() {
            public String getSecret() {
              throw new IllegalStateException("getter exploded");
            }
          };
      String everyPlane = everyUnicodePlane();
      String control = "tab\there\nnewline\u0000nul\u0001\u001f\u007f\u2028\u2029";
      String loneSurrogates = "high\uD800alone, low\uDC00alone, reversed\uDE00\uD83D";
      List<Object> goodInputs = List.of(everyPlane, control, loneSurrogates, Map.of("nested", List.of(everyPlane, control)));
      List<Object> badInputs = List.of(cyclic, throwing, "x".repeat(20_000));

      List<WorkflowEvent> good = new ArrayList<>();
      List<WorkflowEvent> all = new ArrayList<>();
      for (int i = 0; i < goodInputs.size(); i++) {
        WorkflowEvent event = started("good-" + i, goodInputs.get(i));
        good.add(event);
        all.add(event);
        all.add(started("bad-" + i, badInputs.get(i % badInputs.size())));
      }
      EmitLatency latency = new EmitLatency();
      EmitLatency.Recorder recorder = new EmitLatency.Recorder();
      recorder.emitAll(tracker, all);
      latency.add(recorder);
      assertThat(tracker.flush(Duration.ofSeconds(10))).isTrue();
      tracker.close();

      TrackerStats stats = tracker.stats();
      assertThat(stats.dropped(DropReason.NOT_SERIALIZABLE)).isEqualTo(3);
      assertThat(stats.dropped(DropReason.TOO_LARGE)).isEqualTo(1);
      assertThat(stats.delivered()).isEqualTo(4);
      ObjectMapper mapper = new ObjectMapper();
      Map<String, WireEvent> byWorkflow = new HashMap<>();
      sink.received.forEach(e -> byWorkflow.put(e.event().base().workflowId(), e));
      assertThat(byWorkflow.keySet()).containsExactlyInAnyOrder("good-0", "good-1", "good-2", "good-3");
      for (int i = 0; i < good.size(); i++) {
        WorkflowEvent.WorkflowStarted arrived = (WorkflowEvent.WorkflowStarted) byWorkflow.get("good-" + i).event();
        assertThat(arrived.base()).isEqualTo(good.get(i).base());
        assertThat(arrived.input()).as("input %d arrives intact", i).isEqualTo(mapper.valueToTree(goodInputs.get(i)));
      }
      System.out.println(latency.summary());
      latency.assertCallersNeverWaited();
    }
  }

  @Test
  void requiredFieldsAreRejectedAtConstructionWithAClearMessage() {
    BaseEvent base = WorkflowEvents.createBaseEvent("wf", "name");
    assertThatThrownBy(() -> WorkflowEvents.createBaseEvent(null, "name"))
        .hasMessage("workflowId is required but was null");
    assertThatThrownBy(() -> WorkflowEvents.createBaseEvent("wf", "\t"))
        .hasMessage("workflowName must not be blank but was '\t'");
    assertThatThrownBy(() -> new WorkflowEvent.StepStarted(base, null, 1))
        .hasMessage("stepName is required but was null");
    assertThatThrownBy(() -> new WorkflowEvent.TimeoutSet(base, "s", null, 5))
        .hasMessage("deadline is required but was null");
  }

  /** A configuration sending to {@code sink}, named after the scenario. */
  private static HttpBatchTrackerConfig.Builder config(FaultySink sink, String scenario) {
    return HttpBatchTrackerConfig.builder().endpoint(sink.endpoint()).env(scenario).serviceKey("faults");
  }

  private static WorkflowEvent started(String workflowId, Object input) {
    return new WorkflowEvent.WorkflowStarted(WorkflowEvents.createBaseEvent(workflowId, "hostile"), input);
  }

  /** One code point from each of the 17 Unicode planes (the unassigned ones as private use or noncharacters). */
  private static String everyUnicodePlane() {
    StringBuilder text = new StringBuilder();
    int[] samples = {
      'A', 'é', '中', 0x1F600, 0x20000, 0x30000, 0x4FFFD, 0x5FFFD, 0x6FFFD, 0x7FFFD, 0x8FFFD, 0x9FFFD,
      0xAFFFD, 0xBFFFD, 0xCFFFD, 0xDFFFD, 0xE0041, 0xF0000, 0x10FFFD
    };
    for (int codePoint : samples) {
      text.appendCodePoint(codePoint);
    }
    return text.append(" עברית ").toString();
  }

  /**
   * Emits {@code perThread} events from each of {@code threads} threads, spread over {@code
   * duration}, timing every emit.
   */
  private static void emitConcurrently(
      HttpBatchTracker tracker,
      int threads,
      int perThread,
      Duration duration,
      long seed,
      Set<String> emitted,
      EmitLatency latency)
      throws Exception {
    emitConcurrently(
        tracker, threads, perThread, duration, seed, emitted, latency, 0, ConcurrentHashMap.newKeySet(), new AtomicLong());
  }

  /**
   * As above; every {@code hostileEvery}-th event (0: none) carries an input whose getter throws a
   * random {@link Throwable}, and its id goes into {@code hostile}. {@code maxPending} receives the
   * largest {@code pending()} seen after an emit. Events are made in runs of 50 before the run is
   * emitted, so that only {@code emit} itself is timed and watched for waits.
   */
  private static void emitConcurrently(
      HttpBatchTracker tracker,
      int threads,
      int perThread,
      Duration duration,
      long seed,
      Set<String> emitted,
      EmitLatency latency,
      int hostileEvery,
      Set<String> hostile,
      AtomicLong maxPending)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    int run = 50;
    long pauseNanos = duration.toNanos() / (perThread / run);
    for (int t = 0; t < threads; t++) {
      Random random = new Random(seed * 31 + t);
      int thread = t;
      done.add(
          pool.submit(
              () -> {
                EmitLatency.Recorder recorder = new EmitLatency.Recorder();
                long[] mostPending = {0};
                start.await();
                long next = System.nanoTime();
                for (int first = 0; first < perThread; first += run) {
                  List<WorkflowEvent> events = new ArrayList<>(run);
                  for (int i = first; i < Math.min(perThread, first + run); i++) {
                    WorkflowEvent event =
                        hostileEvery > 0 && random.nextInt(hostileEvery) == 0
                            ? hostileEvent(thread, i, random)
                            : event(thread, i, random);
                    emitted.add(event.base().eventId());
                    if (event instanceof WorkflowEvent.WorkflowStarted started && started.input() instanceof Hostile) {
                      hostile.add(event.base().eventId());
                    }
                    events.add(event);
                  }
                  recorder.emitAll(tracker, events, () -> mostPending[0] = Math.max(mostPending[0], tracker.pending()));
                  next += pauseNanos;
                  long wait = next - System.nanoTime();
                  if (wait > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                  }
                }
                latency.add(recorder);
                maxPending.accumulateAndGet(mostPending[0], Math::max);
                return null;
              }));
    }
    start.countDown();
    for (Future<?> f : done) {
      f.get();
    }
    pool.shutdown();
  }

  /** An input whose getter throws what application code can throw, {@link Error}s included. */
  public static final class Hostile {
    private final int kind;

    Hostile(int kind) {
      this.kind = kind;
    }

    public String getValue() {
      switch (kind) {
        case 0 -> throw new AssertionError("assertion in a getter");
        case 1 -> throw new OutOfMemoryError("simulated: Java heap space");
        case 2 -> throw new NoClassDefFoundError("com/example/Missing");
        case 3 -> throw new ExceptionInInitializerError("static initializer failed");
        case 4 -> throw new StackOverflowError();
        default -> throw new IllegalStateException("getter exploded");
      }
    }
  }

  private static WorkflowEvent hostileEvent(int thread, int i, Random random) {
    BaseEvent base = WorkflowEvents.createBaseEvent("wf-" + thread + "-" + (i / 20), "storm", "exec-" + thread);
    return new WorkflowEvent.WorkflowStarted(base, new Hostile(random.nextInt(6)));
  }

  private static WorkflowEvent event(int thread, int i, Random random) {
    BaseEvent base = WorkflowEvents.createBaseEvent("wf-" + thread + "-" + (i / 20), "storm", "exec-" + thread);
    return switch (random.nextInt(4)) {
      case 0 -> new WorkflowEvent.StepStarted(base, "step-" + (i % 20), 1);
      case 1 -> new WorkflowEvent.StepCompleted(base, "step-" + (i % 20), 1, random.nextInt(500), false);
      case 2 -> new WorkflowEvent.WorkflowStarted(base, Map.of("payload", "p".repeat(random.nextInt(10) == 0 ? 2_000 : 50)));
      default -> new WorkflowEvent.StepFailed(
          base, "step-" + (i % 20), 2, dev.durableeffect.tracker.event.ErrorDetails.of("boom " + i), random.nextBoolean());
    };
  }
}
