package dev.durableeffect.tracker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.durableeffect.tracker.event.PauseReason;
import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.event.WorkflowEvent.RetryExhausted;
import dev.durableeffect.tracker.event.WorkflowEvent.RetryScheduled;
import dev.durableeffect.tracker.event.WorkflowEvent.SleepCompleted;
import dev.durableeffect.tracker.event.WorkflowEvent.SleepStarted;
import dev.durableeffect.tracker.event.WorkflowEvent.StepCompleted;
import dev.durableeffect.tracker.event.WorkflowEvent.StepFailed;
import dev.durableeffect.tracker.event.WorkflowEvent.StepStarted;
import dev.durableeffect.tracker.event.WorkflowEvent.TimeoutExceeded;
import dev.durableeffect.tracker.event.WorkflowEvent.TimeoutSet;
import dev.durableeffect.tracker.event.WorkflowEvent.WorkflowCancelled;
import dev.durableeffect.tracker.event.WorkflowEvent.WorkflowCompleted;
import dev.durableeffect.tracker.event.WorkflowEvent.WorkflowFailed;
import dev.durableeffect.tracker.event.WorkflowEvent.WorkflowPaused;
import dev.durableeffect.tracker.event.WorkflowEvent.WorkflowQueued;
import dev.durableeffect.tracker.event.WorkflowEvent.WorkflowResumed;
import dev.durableeffect.tracker.event.WorkflowEvent.WorkflowStarted;
import dev.durableeffect.tracker.event.WorkflowEventType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import io.micrometer.context.ContextRegistry;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class WorkflowRecorderTest {

  private static final Instant T0 = Instant.parse("2025-12-05T03:20:00Z");

  private final InMemoryTracker tracker = new InMemoryTracker();
  private final TestClock clock = new TestClock(T0);

  /** Starts a run whose sleeps advance the test clock instead of waiting. */
  private WorkflowRecorder start(Object input) {
    WorkflowRecorder recorder =
        WorkflowRecorder.create(tracker, "wf-1", "order-fulfillment", "exec-1", input, clock, clock::advance);
    return recorder.begin();
  }

  private List<WorkflowEventType> types() {
    return tracker.getEvents().stream().map(WorkflowEvent::type).toList();
  }

  private <T extends WorkflowEvent> T only(Class<T> type) {
    List<T> events = tracker.getEventsByType(type);
    assertThat(events).hasSize(1);
    return events.get(0);
  }

  @Test
  void happyPathRecordsStepsAndTheTotalDuration() throws Exception {
    WorkflowRecorder run = start(Map.of("orderId", "o-1"));

    String reserved = run.step("reserve", () -> { clock.advance(Duration.ofMillis(40)); return "r-1"; });
    run.step("ship", () -> { clock.advance(Duration.ofMillis(60)); return null; });
    run.complete();

    assertThat(reserved).isEqualTo("r-1");
    assertThat(types())
        .containsExactly(
            WorkflowEventType.WORKFLOW_STARTED,
            WorkflowEventType.STEP_STARTED, WorkflowEventType.STEP_COMPLETED,
            WorkflowEventType.STEP_STARTED, WorkflowEventType.STEP_COMPLETED,
            WorkflowEventType.WORKFLOW_COMPLETED);
    WorkflowStarted started = only(WorkflowStarted.class);
    assertThat(started.input()).isEqualTo(Map.of("orderId", "o-1"));
    assertThat(started.base().timestamp()).isEqualTo(T0);
    assertThat(started.base().executionId()).isEqualTo("exec-1");
    List<StepCompleted> steps = tracker.getEventsByType(StepCompleted.class);
    assertThat(steps).extracting(StepCompleted::stepName).containsExactly("reserve", "ship");
    assertThat(steps).extracting(StepCompleted::durationMs).containsExactly(40L, 60L);
    assertThat(steps).extracting(StepCompleted::attempt).containsExactly(1, 1);
    assertThat(steps).extracting(StepCompleted::cached).containsExactly(false, false);
    WorkflowCompleted completed = only(WorkflowCompleted.class);
    assertThat(completed.completedSteps()).containsExactly("reserve", "ship");
    assertThat(completed.durationMs()).isEqualTo(100);
    assertThat(completed.base().timestamp()).isEqualTo(T0.plusMillis(100));
    assertThat(run.state()).isEqualTo(WorkflowRecorder.State.COMPLETED);
  }

  @Test
  void aRetriedStepThatSucceedsRecordsEachAttemptThePauseAndTheResume() throws Exception {
    WorkflowRecorder run = start(null);
    AtomicInteger calls = new AtomicInteger();

    String result =
        run.step("charge", StepRetry.of(3, Duration.ofMillis(500)).exponential(), () -> {
          if (calls.incrementAndGet() < 3) {
            throw new IllegalStateException("gateway busy");
          }
          return "paid";
        });
    run.complete();

    assertThat(result).isEqualTo("paid");
    assertThat(types())
        .containsExactly(
            WorkflowEventType.WORKFLOW_STARTED,
            WorkflowEventType.STEP_STARTED, WorkflowEventType.STEP_FAILED,
            WorkflowEventType.RETRY_SCHEDULED, WorkflowEventType.WORKFLOW_PAUSED, WorkflowEventType.WORKFLOW_RESUMED,
            WorkflowEventType.STEP_STARTED, WorkflowEventType.STEP_FAILED,
            WorkflowEventType.RETRY_SCHEDULED, WorkflowEventType.WORKFLOW_PAUSED, WorkflowEventType.WORKFLOW_RESUMED,
            WorkflowEventType.STEP_STARTED, WorkflowEventType.STEP_COMPLETED,
            WorkflowEventType.WORKFLOW_COMPLETED);
    assertThat(tracker.getEventsByType(StepStarted.class)).extracting(StepStarted::attempt).containsExactly(1, 2, 3);
    List<StepFailed> failures = tracker.getEventsByType(StepFailed.class);
    assertThat(failures).extracting(StepFailed::willRetry).containsExactly(true, true);
    assertThat(failures.get(0).error().message()).isEqualTo("gateway busy");
    assertThat(failures.get(0).error().stack()).contains("IllegalStateException");
    List<RetryScheduled> retries = tracker.getEventsByType(RetryScheduled.class);
    assertThat(retries).extracting(RetryScheduled::attempt).containsExactly(2, 3);
    assertThat(retries).extracting(RetryScheduled::delayMs).containsExactly(500L, 1000L);
    assertThat(retries.get(0).nextAttemptAt()).isEqualTo(T0.plusMillis(500));
    assertThat(retries.get(1).nextAttemptAt()).isEqualTo(T0.plusMillis(1500));
    List<WorkflowPaused> pauses = tracker.getEventsByType(WorkflowPaused.class);
    assertThat(pauses).extracting(WorkflowPaused::reason).containsOnly(PauseReason.RETRY);
    assertThat(pauses).extracting(WorkflowPaused::stepName).containsOnly("charge");
    assertThat(pauses).extracting(WorkflowPaused::resumeAt).containsExactly(T0.plusMillis(500), T0.plusMillis(1500));
    assertThat(tracker.getEventsByType(WorkflowResumed.class).get(1).base().timestamp()).isEqualTo(T0.plusMillis(1500));
    assertThat(only(WorkflowCompleted.class).completedSteps()).containsExactly("charge");
    assertThat(tracker.hasEvent(WorkflowEventType.RETRY_EXHAUSTED)).isFalse();
  }

  @Test
  void anExhaustedRetryRecordsTotalAttemptsAndTheFailureReachesTheWorkflow() throws Exception {
    WorkflowRecorder run = start(null);
    run.step("validate", () -> "ok");

    IllegalStateException declined = new IllegalStateException("card declined");
    assertThatThrownBy(() -> run.step("charge", StepRetry.of(3, Duration.ofMillis(100)), () -> { throw declined; }))
        .isSameAs(declined);
    run.fail(declined);

    List<StepFailed> failures = tracker.getEventsByType(StepFailed.class);
    assertThat(failures).extracting(StepFailed::willRetry).containsExactly(true, true, false);
    assertThat(only(RetryExhausted.class).attempts()).isEqualTo(3);
    assertThat(only(RetryExhausted.class).stepName()).isEqualTo("charge");
    WorkflowFailed failed = only(WorkflowFailed.class);
    assertThat(failed.error().message()).isEqualTo("card declined");
    assertThat(failed.error().stepName()).isEqualTo("charge");
    assertThat(failed.error().attempt()).isEqualTo(3);
    assertThat(failed.completedSteps()).containsExactly("validate");
    assertThat(types().subList(types().size() - 3, types().size()))
        .containsExactly(WorkflowEventType.STEP_FAILED, WorkflowEventType.RETRY_EXHAUSTED, WorkflowEventType.WORKFLOW_FAILED);
  }

  @Test
  void aStepWithoutRetryFailsOnceWithoutRetryEvents() {
    WorkflowRecorder run = start(null);

    assertThatThrownBy(() -> run.step("load", () -> { throw new java.io.IOException("disk"); }))
        .hasMessage("disk");

    assertThat(types()).containsExactly(
        WorkflowEventType.WORKFLOW_STARTED, WorkflowEventType.STEP_STARTED, WorkflowEventType.STEP_FAILED);
    assertThat(only(StepFailed.class).willRetry()).isFalse();
  }

  @Test
  void aRetryOfOneAttemptFailsOnceWithoutRetryEvents() {
    WorkflowRecorder run = start(null);

    assertThatThrownBy(
            () -> run.step("charge", StepRetry.of(1, Duration.ofSeconds(1)), () -> { throw new IllegalStateException("declined"); }))
        .hasMessage("declined");

    assertThat(types()).containsExactly(
        WorkflowEventType.WORKFLOW_STARTED, WorkflowEventType.STEP_STARTED, WorkflowEventType.STEP_FAILED);
    assertThat(only(StepFailed.class).willRetry()).isFalse();
  }

  @Test
  void aTimedStepThatThrowsFailsWithItsOwnException() {
    WorkflowRecorder run = start(null);
    java.io.IOException unreachable = new java.io.IOException("renderer unreachable");

    assertThatThrownBy(() -> run.withTimeout("render", Duration.ofSeconds(5), () -> { throw unreachable; }))
        .isSameAs(unreachable);

    assertThat(types()).containsExactly(
        WorkflowEventType.WORKFLOW_STARTED, WorkflowEventType.TIMEOUT_SET, WorkflowEventType.STEP_STARTED,
        WorkflowEventType.STEP_FAILED);
    assertThat(only(StepFailed.class).error().message()).isEqualTo("renderer unreachable");
  }

  @Test
  void aTimeoutSetsADeadlineAndRecordsTheStepExceedingIt() throws Exception {
    WorkflowRecorder run = WorkflowRecorder.start(tracker, "wf-2", "report", null, null, clock);
    CountDownLatch interrupted = new CountDownLatch(1);

    assertThatThrownBy(
            () ->
                run.withTimeout("render", Duration.ofMillis(100), () -> {
                  try {
                    new CountDownLatch(1).await(); // a step that never finishes on its own
                  } catch (InterruptedException e) {
                    interrupted.countDown();
                  }
                  return null;
                }))
        .isInstanceOf(TimeoutException.class)
        .hasMessageContaining("render")
        .hasMessageContaining("100 ms");
    run.fail(new TimeoutException("render timed out"));

    assertThat(interrupted.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(types())
        .containsExactly(
            WorkflowEventType.WORKFLOW_STARTED, WorkflowEventType.TIMEOUT_SET, WorkflowEventType.STEP_STARTED,
            WorkflowEventType.TIMEOUT_EXCEEDED, WorkflowEventType.STEP_FAILED, WorkflowEventType.WORKFLOW_FAILED);
    TimeoutSet set = only(TimeoutSet.class);
    assertThat(set.deadline()).isEqualTo(T0.plusMillis(100));
    assertThat(set.timeoutMs()).isEqualTo(100);
    assertThat(only(TimeoutExceeded.class).stepName()).isEqualTo("render");
    assertThat(only(StepFailed.class).willRetry()).isFalse();
    assertThat(only(WorkflowFailed.class).error().stepName()).isEqualTo("render");
  }

  @Test
  void aStepWithinItsTimeoutCompletesNormally() throws Exception {
    WorkflowRecorder run = start(null);

    assertThat(run.withTimeout("quick", Duration.ofSeconds(5), () -> 42)).isEqualTo(42);

    assertThat(types()).containsExactly(
        WorkflowEventType.WORKFLOW_STARTED, WorkflowEventType.TIMEOUT_SET, WorkflowEventType.STEP_STARTED,
        WorkflowEventType.STEP_COMPLETED);
  }

  @Test
  void aSleepRecordsResumeAtThePauseAndTheResume() throws Exception {
    WorkflowRecorder run = start(null);

    run.sleep(Duration.ofSeconds(30));
    run.complete();

    assertThat(types())
        .containsExactly(
            WorkflowEventType.WORKFLOW_STARTED, WorkflowEventType.SLEEP_STARTED, WorkflowEventType.WORKFLOW_PAUSED,
            WorkflowEventType.WORKFLOW_RESUMED, WorkflowEventType.SLEEP_COMPLETED, WorkflowEventType.WORKFLOW_COMPLETED);
    SleepStarted sleep = only(SleepStarted.class);
    assertThat(sleep.durationMs()).isEqualTo(30_000);
    assertThat(sleep.resumeAt()).isEqualTo(T0.plusSeconds(30));
    WorkflowPaused paused = only(WorkflowPaused.class);
    assertThat(paused.reason()).isEqualTo(PauseReason.SLEEP);
    assertThat(paused.resumeAt()).isEqualTo(T0.plusSeconds(30));
    assertThat(paused.stepName()).isNull();
    assertThat(only(SleepCompleted.class).durationMs()).isEqualTo(30_000);
    assertThat(only(SleepCompleted.class).base().timestamp()).isEqualTo(T0.plusSeconds(30));
    assertThat(only(WorkflowCompleted.class).durationMs()).isEqualTo(30_000);
  }

  @Test
  void aSleepCarriedOutElsewhereIsRecordedInTwoParts() {
    WorkflowRecorder run = start(null);

    WorkflowRecorder.Sleep sleep = run.beginSleep(Duration.ofMinutes(5));
    assertThat(run.state()).isEqualTo(WorkflowRecorder.State.SLEEPING);
    assertThatThrownBy(() -> run.step("early", () -> 1)).isInstanceOf(IllegalStateException.class);
    sleep.end();
    sleep.end();

    assertThat(types()).containsExactly(
        WorkflowEventType.WORKFLOW_STARTED, WorkflowEventType.SLEEP_STARTED, WorkflowEventType.WORKFLOW_PAUSED,
        WorkflowEventType.WORKFLOW_RESUMED, WorkflowEventType.SLEEP_COMPLETED);
    assertThat(run.state()).isEqualTo(WorkflowRecorder.State.RUNNING);
  }

  @Test
  void aQueuedRunStartsOnBegin() {
    WorkflowRecorder run = WorkflowRecorder.queue(tracker, "wf-3", "import", "exec-3", List.of("a.csv"), clock);

    assertThat(types()).containsExactly(WorkflowEventType.WORKFLOW_QUEUED);
    assertThat(only(WorkflowQueued.class).input()).isEqualTo(List.of("a.csv"));
    assertThatThrownBy(() -> run.step("parse", () -> 1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("cannot step workflow import (wf-3): it is QUEUED");

    clock.advance(Duration.ofSeconds(2));
    run.begin();
    run.complete();

    assertThat(types()).containsExactly(
        WorkflowEventType.WORKFLOW_QUEUED, WorkflowEventType.WORKFLOW_STARTED, WorkflowEventType.WORKFLOW_COMPLETED);
    assertThat(only(WorkflowStarted.class).input()).isEqualTo(List.of("a.csv"));
    assertThat(only(WorkflowCompleted.class).durationMs()).isZero();
  }

  @Test
  void aCachedStepIsRecordedAsCompletedFromCache() {
    WorkflowRecorder run = start(null);

    assertThat(run.cachedStep("lookup", "cached-value")).isEqualTo("cached-value");

    StepCompleted step = only(StepCompleted.class);
    assertThat(step.cached()).isTrue();
    assertThat(step.durationMs()).isZero();
    assertThat(run.completedSteps()).containsExactly("lookup");
  }

  @Test
  void aCancelRecordsTheReasonAndTheStepsDone() throws Exception {
    WorkflowRecorder run = start(null);
    run.step("pick", () -> 1);

    run.cancel("customer changed their mind");

    WorkflowCancelled cancelled = only(WorkflowCancelled.class);
    assertThat(cancelled.reason()).isEqualTo("customer changed their mind");
    assertThat(cancelled.completedSteps()).containsExactly("pick");
  }

  @Test
  void terminalStatesAreFinalAndNameTheWorkflowAndState() throws Exception {
    WorkflowRecorder run = start(null);
    run.complete();
    int emitted = tracker.getEvents().size();

    assertThatThrownBy(run::complete)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("cannot complete workflow order-fulfillment (wf-1): it is COMPLETED");
    assertThatThrownBy(() -> run.fail(new RuntimeException("late")))
        .hasMessage("cannot fail workflow order-fulfillment (wf-1): it is COMPLETED");
    assertThatThrownBy(() -> run.cancel("late")).hasMessage("cannot cancel workflow order-fulfillment (wf-1): it is COMPLETED");
    assertThatThrownBy(() -> run.step("late", () -> 1)).hasMessage("cannot step workflow order-fulfillment (wf-1): it is COMPLETED");
    assertThatThrownBy(() -> run.sleep(Duration.ofSeconds(1))).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(run::begin).hasMessage("cannot begin workflow order-fulfillment (wf-1): it is COMPLETED");
    assertThatThrownBy(() -> run.cachedStep("late", 1))
        .hasMessage("cannot cachedStep workflow order-fulfillment (wf-1): it is COMPLETED");
    assertThatThrownBy(() -> run.withTimeout("late", Duration.ofSeconds(1), () -> 1))
        .hasMessage("cannot withTimeout workflow order-fulfillment (wf-1): it is COMPLETED");
    assertThat(tracker.getEvents()).hasSize(emitted);

    WorkflowRecorder cancelled = start(null);
    cancelled.cancel(null);
    assertThatThrownBy(cancelled::complete).hasMessage("cannot complete workflow order-fulfillment (wf-1): it is CANCELLED");
  }

  @Test
  void badIdsAreRejectedAtStartNamingTheField() {
    assertThatThrownBy(() -> WorkflowRecorder.start(tracker, " ", "name", null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("workflowId must not be blank but was ' '");
    assertThat(tracker.getEvents()).isEmpty();
  }

  @Test
  void theRecorderReachesEverySixteenTypes() throws Exception {
    WorkflowRecorder queued = WorkflowRecorder.queue(tracker, "wf-q", "q", null, null, clock);
    queued.begin();
    queued.cachedStep("cache", 1);
    queued.step("flaky", StepRetry.of(2, Duration.ZERO), new java.util.concurrent.Callable<Integer>() {
      int calls;
      @Override
      public Integer call() {
        if (calls++ == 0) {
          throw new IllegalStateException("once");
        }
        return 1;
      }
    });
    queued.sleep(Duration.ZERO);
    queued.complete();
    WorkflowRecorder failing = start(null);
    try {
      failing.step("doomed", StepRetry.of(2, Duration.ZERO), () -> { throw new IllegalStateException("no"); });
    } catch (IllegalStateException e) {
      failing.fail(e);
    }
    WorkflowRecorder timed = start(null);
    try {
      timed.withTimeout("slow", Duration.ofMillis(1), () -> { new CountDownLatch(1).await(); return 1; });
    } catch (TimeoutException e) {
      timed.cancel("timed out");
    }

    assertThat(EnumSet.copyOf(types())).isEqualTo(EnumSet.allOf(WorkflowEventType.class));
  }

  @Test
  void theBuilderStartsARunWithNamedIds() {
    WorkflowRecorder run =
        WorkflowRecorder.builder(tracker)
            .workflowId("wf-b")
            .workflowName("order-fulfillment")
            .executionId("exec-b")
            .input(Map.of("orderId", "o-9"))
            .clock(clock)
            .start();

    WorkflowStarted started = only(WorkflowStarted.class);
    assertThat(started.base().workflowId()).isEqualTo("wf-b");
    assertThat(started.base().workflowName()).isEqualTo("order-fulfillment");
    assertThat(started.base().executionId()).isEqualTo("exec-b");
    assertThat(started.base().timestamp()).isEqualTo(T0);
    assertThat(started.input()).isEqualTo(Map.of("orderId", "o-9"));
    assertThat(run.state()).isEqualTo(WorkflowRecorder.State.RUNNING);
    assertThat(run.workflowId()).isEqualTo("wf-b");
    assertThat(run.executionId()).isEqualTo("exec-b");
  }

  @Test
  void theBuilderQueuesARunThatBeginLaterStarts() {
    WorkflowRecorder run =
        WorkflowRecorder.builder(tracker).workflowId("wf-q").workflowName("import").input(List.of("a.csv")).queue();

    assertThat(run.state()).isEqualTo(WorkflowRecorder.State.QUEUED);
    assertThat(only(WorkflowQueued.class).input()).isEqualTo(List.of("a.csv"));
    assertThat(only(WorkflowQueued.class).base().executionId()).isNull();
    run.begin();
    assertThat(types()).containsExactly(WorkflowEventType.WORKFLOW_QUEUED, WorkflowEventType.WORKFLOW_STARTED);
  }

  @Test
  void theBuilderNamesAMissingOrBlankId() {
    assertThatThrownBy(() -> WorkflowRecorder.builder(tracker).workflowName("n").start())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("workflowId is required but was null");
    assertThatThrownBy(() -> WorkflowRecorder.builder(tracker).workflowId("wf").workflowName(" ").start())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("workflowName must not be blank but was ' '");
    assertThat(tracker.getEvents()).isEmpty();
  }

  @Test
  void timedStepsRunOnTheExecutorTheCallerPasses() throws Exception {
    ExecutorService own =
        Executors.newSingleThreadExecutor(task -> new Thread(task, "application-pool"));
    try {
      WorkflowRecorder run =
          WorkflowRecorder.builder(tracker).workflowId("wf-e").workflowName("report").timeoutExecutor(own).start();

      String thread = run.withTimeout("render", Duration.ofSeconds(5), () -> Thread.currentThread().getName());

      assertThat(thread).isEqualTo("application-pool");
      assertThat(own.isShutdown()).as("the recorder never shuts a caller's executor down").isFalse();
    } finally {
      own.shutdownNow();
    }
  }

  @Test
  void aTimedStepSeesTheCallersMdcAndLeavesThePoolThreadClean() throws Exception {
    ExecutorService own = Executors.newSingleThreadExecutor();
    try {
      WorkflowRecorder run =
          WorkflowRecorder.builder(tracker).workflowId("wf-m").workflowName("report").timeoutExecutor(own).start();
      MDC.put("requestId", "req-42");
      Map<String, String> seen;
      try {
        seen = run.withTimeout("render", Duration.ofSeconds(5), MDC::getCopyOfContextMap);
      } finally {
        MDC.remove("requestId");
      }

      assertThat(seen).containsEntry("requestId", "req-42");
      assertThat(own.submit(MDC::getCopyOfContextMap).get(5, TimeUnit.SECONDS))
          .as("the pool thread's MDC after the step")
          .isNullOrEmpty();
    } finally {
      own.shutdownNow();
    }
  }

  @Test
  void aTimedStepSeesContextRegisteredWithMicrometerContextPropagation() throws Exception {
    ThreadLocal<String> traceId = new ThreadLocal<>();
    ContextRegistry.getInstance().registerThreadLocalAccessor("test.trace", traceId::get, traceId::set, traceId::remove);
    try {
      WorkflowRecorder run = WorkflowRecorder.builder(tracker).workflowId("wf-c").workflowName("report").start();
      traceId.set("trace-7");

      String seen = run.withTimeout("render", Duration.ofSeconds(5), traceId::get);

      assertThat(CallerContext.propagatesMicrometerContext()).isTrue();
      assertThat(seen).isEqualTo("trace-7");
    } finally {
      traceId.remove();
      ContextRegistry.getInstance().removeThreadLocalAccessor("test.trace");
    }
  }

  @Test
  void contextPropagationIsOptional() {
    ClassLoader withoutIt =
        new ClassLoader(getClass().getClassLoader()) {
          @Override
          protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.startsWith("io.micrometer.context.")) {
              throw new ClassNotFoundException(name);
            }
            return super.loadClass(name, resolve);
          }
        };

    assertThat(CallerContext.isPresent("io.micrometer.context.ContextSnapshotFactory", withoutIt)).isFalse();
    assertThat(CallerContext.isPresent("io.micrometer.context.ContextSnapshotFactory", getClass().getClassLoader()))
        .isTrue();
  }

  @Test
  void theDefaultExecutorUsesDaemonThreadsAndShutsDownCleanly() throws Exception {
    WorkflowRecorder run = WorkflowRecorder.builder(tracker).workflowId("wf-d").workflowName("report").start();
    Thread worker = run.withTimeout("where", Duration.ofSeconds(5), Thread::currentThread);
    assertThat(worker.getName()).startsWith(WorkflowRecorder.TIMEOUT_THREAD_NAME_PREFIX);
    assertThat(worker.isDaemon()).isTrue();
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch interrupted = new CountDownLatch(1);
    Thread caller =
        new Thread(
            () -> {
              try {
                WorkflowRecorder.builder(tracker).workflowId("wf-d2").workflowName("report").start()
                    .withTimeout("stuck", Duration.ofMinutes(5), () -> {
                      running.countDown();
                      try {
                        new CountDownLatch(1).await();
                      } catch (InterruptedException e) {
                        interrupted.countDown();
                      }
                      return null;
                    });
              } catch (Exception expected) {
                // the step fails once its thread is interrupted
              }
            });
    caller.start();
    assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();

    assertThat(WorkflowRecorder.shutdownDefaultTimeoutExecutor(Duration.ofSeconds(5))).isTrue();

    assertThat(interrupted.await(5, TimeUnit.SECONDS)).isTrue();
    caller.join(5_000);
    worker.join(5_000);
    assertThat(worker.isAlive()).as("the default executor's thread ended").isFalse();
    assertThat(run.withTimeout("again", Duration.ofSeconds(5), () -> "a new default executor"))
        .isEqualTo("a new default executor");
  }

  @Test
  void shuttingTheDefaultExecutorDownSaysFalseWhileAStepIgnoresTheInterrupt() throws Exception {
    // A fresh default executor, its thread made for a step started from a non-daemon thread.
    WorkflowRecorder.shutdownDefaultTimeoutExecutor(Duration.ofSeconds(5));
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch interrupted = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicReference<Thread> worker = new AtomicReference<>();
    AtomicReference<Object> outcome = new AtomicReference<>();
    Thread caller =
        new Thread(
            () -> {
              try {
                outcome.set(
                    WorkflowRecorder.builder(tracker).workflowId("wf-s").workflowName("report").start()
                        .withTimeout("stubborn", Duration.ofMinutes(5), () -> {
                          worker.set(Thread.currentThread());
                          running.countDown();
                          while (true) {
                            try {
                              release.await();
                              return "finished";
                            } catch (InterruptedException e) {
                              interrupted.countDown(); // and goes on waiting
                            }
                          }
                        }));
              } catch (Exception e) {
                outcome.set(e);
              }
            });
    caller.setDaemon(false);
    caller.start();
    assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(worker.get().isDaemon()).as("a step's thread, made for a non-daemon caller").isTrue();

    assertThat(WorkflowRecorder.shutdownDefaultTimeoutExecutor(Duration.ofMillis(200))).isFalse();

    assertThat(interrupted.await(5, TimeUnit.SECONDS)).as("the step was interrupted").isTrue();
    release.countDown();
    caller.join(5_000);
    assertThat(outcome.get()).isEqualTo("finished");
    assertThat(WorkflowRecorder.shutdownDefaultTimeoutExecutor(Duration.ofSeconds(5)))
        .as("no default executor left to shut down")
        .isTrue();
  }

  /** A clock that moves only when told to. */
  static final class TestClock extends Clock {
    private Instant now;

    TestClock(Instant now) {
      this.now = now;
    }

    void advance(Duration duration) {
      now = now.plus(duration);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
