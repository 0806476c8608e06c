package dev.durableeffect.tracker;

import dev.durableeffect.tracker.event.BaseEvent;
import dev.durableeffect.tracker.event.ErrorDetails;
import dev.durableeffect.tracker.event.PauseReason;
import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.event.WorkflowEvents;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/**
 * Turns the state transitions of one workflow run into the right lifecycle events, so that
 * workflow code never builds event records by hand: attempts, durations, {@code completedSteps},
 * {@code resumeAt} and {@code deadline} are computed here.
 *
 * <pre>{@code
 * WorkflowRecorder run = WorkflowRecorder.start(tracker, orderId, "order-fulfillment", requestId, order);
 * Payment payment = run.step("charge", StepRetry.of(3, Duration.ofSeconds(1)), () -> payments.charge(order));
 * run.sleep(Duration.ofSeconds(5));
 * run.complete();
 * }</pre>
 *
 * <p>Thread confinement: a recorder belongs to one workflow run and is used from one thread at a
 * time; it is not thread-safe. Terminal states ({@code complete}, {@code fail}, {@code cancel}) are
 * final: any later transition is an {@link IllegalStateException} naming the workflow and its state.
 * Emitting never throws: the tracker counts what it cannot take.
 */
public final class WorkflowRecorder {

  /** Where a run stands. */
  public enum State {
    /** Queued; {@link #begin()} starts it. */
    QUEUED,
    /** Running steps. */
    RUNNING,
    /** Paused in a sleep. */
    SLEEPING,
    /** Completed; final. */
    COMPLETED,
    /** Failed; final. */
    FAILED,
    /** Cancelled; final. */
    CANCELLED;

    boolean terminal() {
      return this == COMPLETED || this == FAILED || this == CANCELLED;
    }
  }

  /** Waits; replaced in tests so that they need not wait. */
  interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  private static final Sleeper THREAD_SLEEP = duration -> Thread.sleep(duration.toMillis());
  private static final RateLimitedLog LOG =
      new RateLimitedLog(LoggerFactory.getLogger(WorkflowRecorder.class), Duration.ofSeconds(30));
  private static final AtomicInteger TIMEOUT_THREADS = new AtomicInteger();
  private static final ExecutorService TIMEOUT_EXECUTOR =
      Executors.newCachedThreadPool(
          task -> {
            Thread thread = new Thread(task, "durable-tracker-step-" + TIMEOUT_THREADS.incrementAndGet());
            thread.setDaemon(true);
            return thread;
          });

  private final EventTracker tracker;
  private final String workflowId;
  private final String workflowName;
  private final @Nullable String executionId;
  private final @Nullable Object input;
  private final Clock clock;
  private final Sleeper sleeper;
  private final List<String> completedSteps = new ArrayList<>();
  private State state;
  private long startedAtMillis;
  private @Nullable String failedStep;
  private int failedAttempt;

  private WorkflowRecorder(
      EventTracker tracker,
      String workflowId,
      String workflowName,
      @Nullable String executionId,
      @Nullable Object input,
      Clock clock,
      Sleeper sleeper) {
    this.tracker = tracker;
    this.workflowId = workflowId;
    this.workflowName = workflowName;
    this.executionId = executionId;
    this.input = input;
    this.clock = clock;
    this.sleeper = sleeper;
    this.state = State.QUEUED;
    // Validates the ids now, naming the bad field, rather than at the first event.
    WorkflowEvents.createBaseEvent(workflowId, workflowName, executionId, clock);
  }

  /** Starts a run: emits {@code workflow.started} with {@code input}. */
  public static WorkflowRecorder start(
      EventTracker tracker,
      String workflowId,
      String workflowName,
      @Nullable String executionId,
      @Nullable Object input) {
    return start(tracker, workflowId, workflowName, executionId, input, Clock.systemUTC());
  }

  /** As {@link #start(EventTracker, String, String, String, Object)}, reading time from {@code clock}. */
  public static WorkflowRecorder start(
      EventTracker tracker,
      String workflowId,
      String workflowName,
      @Nullable String executionId,
      @Nullable Object input,
      Clock clock) {
    return create(tracker, workflowId, workflowName, executionId, input, clock, THREAD_SLEEP).begin0();
  }

  /** Queues a run: emits {@code workflow.queued}; a later {@link #begin()} emits {@code workflow.started}. */
  public static WorkflowRecorder queue(
      EventTracker tracker,
      String workflowId,
      String workflowName,
      @Nullable String executionId,
      @Nullable Object input) {
    return queue(tracker, workflowId, workflowName, executionId, input, Clock.systemUTC());
  }

  /** As {@link #queue(EventTracker, String, String, String, Object)}, reading time from {@code clock}. */
  public static WorkflowRecorder queue(
      EventTracker tracker,
      String workflowId,
      String workflowName,
      @Nullable String executionId,
      @Nullable Object input,
      Clock clock) {
    WorkflowRecorder recorder =
        create(tracker, workflowId, workflowName, executionId, input, clock, THREAD_SLEEP);
    recorder.emit(new WorkflowEvent.WorkflowQueued(recorder.base(), input));
    return recorder;
  }

  static WorkflowRecorder create(
      EventTracker tracker,
      String workflowId,
      String workflowName,
      @Nullable String executionId,
      @Nullable Object input,
      Clock clock,
      Sleeper sleeper) {
    return new WorkflowRecorder(tracker, workflowId, workflowName, executionId, input, clock, sleeper);
  }

  /** Starts a queued run: emits {@code workflow.started}. */
  public WorkflowRecorder begin() {
    require(state == State.QUEUED, "begin");
    return begin0();
  }

  private WorkflowRecorder begin0() {
    state = State.RUNNING;
    startedAtMillis = clock.millis();
    emit(new WorkflowEvent.WorkflowStarted(base(), input));
    return this;
  }

  /**
   * Runs a step once: {@code step.started}, then {@code step.completed} or {@code step.failed}
   * (with {@code willRetry=false}); a failure is rethrown.
   */
  public <T> T step(String name, Callable<T> body) throws Exception {
    return run(name, null, null, body);
  }

  /**
   * Runs a step, retrying it in process: each failed attempt emits {@code step.failed} ({@code
   * willRetry=true}), {@code retry.scheduled}, {@code workflow.paused} (reason {@code retry}) and,
   * after the wait, {@code workflow.resumed}. When the last attempt fails it emits {@code
   * retry.exhausted} and rethrows.
   */
  public <T> T step(String name, StepRetry retry, Callable<T> body) throws Exception {
    return run(name, retry, null, body);
  }

  /**
   * Runs a step with a deadline: {@code timeout.set}, then the step. When the deadline passes
   * first, the body is interrupted, {@code timeout.exceeded} and {@code step.failed} are emitted,
   * and a {@link TimeoutException} is thrown. The body runs on a helper thread.
   */
  public <T> T withTimeout(String name, Duration timeout, Callable<T> body) throws Exception {
    requireRunning("withTimeout");
    Instant now = clock.instant();
    emit(new WorkflowEvent.TimeoutSet(base(), name, now.plus(timeout), timeout.toMillis()));
    return run(name, null, timeout, body);
  }

  /** Records a step answered from a cache: {@code step.completed} with {@code cached=true}. */
  public <T> T cachedStep(String name, T value) {
    requireRunning("cachedStep");
    emit(new WorkflowEvent.StepCompleted(base(), name, 1, 0, true));
    completedSteps.add(name);
    return value;
  }

  /**
   * Sleeps durably-in-spirit: {@code sleep.started} ({@code resumeAt}), {@code workflow.paused}
   * (reason {@code sleep}), the wait, {@code workflow.resumed}, {@code sleep.completed}.
   */
  public void sleep(Duration duration) throws InterruptedException {
    Sleep sleep = beginSleep(duration);
    try {
      sleeper.sleep(duration);
    } finally {
      sleep.end();
    }
  }

  /**
   * Records the start of a sleep that the caller carries out elsewhere (a scheduler, a durable
   * timer): emits {@code sleep.started} and {@code workflow.paused}. {@link Sleep#end()} emits
   * {@code workflow.resumed} and {@code sleep.completed}.
   */
  public Sleep beginSleep(Duration duration) {
    requireRunning("sleep");
    long millis = duration.toMillis();
    Instant resumeAt = clock.instant().plus(duration);
    emit(new WorkflowEvent.SleepStarted(base(), millis, resumeAt));
    emit(new WorkflowEvent.WorkflowPaused(base(), PauseReason.SLEEP, resumeAt, null));
    state = State.SLEEPING;
    return new Sleep(millis);
  }

  /** A sleep in progress; {@link #end()} records its end. */
  public final class Sleep {
    private final long durationMs;
    private boolean ended;

    private Sleep(long durationMs) {
      this.durationMs = durationMs;
    }

    /** Emits {@code workflow.resumed} and {@code sleep.completed}; later calls do nothing. */
    public void end() {
      if (ended || state != State.SLEEPING) {
        ended = true;
        return;
      }
      ended = true;
      state = State.RUNNING;
      emit(new WorkflowEvent.WorkflowResumed(base()));
      emit(new WorkflowEvent.SleepCompleted(base(), durationMs));
    }
  }

  /** Completes the run: {@code workflow.completed} with the completed steps and the duration. */
  public void complete() {
    requireRunning("complete");
    state = State.COMPLETED;
    emit(new WorkflowEvent.WorkflowCompleted(base(), completedSteps, sinceStart()));
  }

  /**
   * Fails the run: {@code workflow.failed} with the error and, when the last step failed, that
   * step's name and attempt.
   */
  public void fail(Throwable error) {
    require(state == State.RUNNING || state == State.SLEEPING, "fail");
    state = State.FAILED;
    ErrorDetails details = ErrorDetails.of(error);
    if (failedStep != null) {
      details = details.at(failedStep, failedAttempt);
    }
    emit(new WorkflowEvent.WorkflowFailed(base(), details, completedSteps));
  }

  /** Cancels the run (queued, running or sleeping): {@code workflow.cancelled}. */
  public void cancel(@Nullable String reason) {
    require(!state.terminal(), "cancel");
    state = State.CANCELLED;
    emit(new WorkflowEvent.WorkflowCancelled(base(), reason, completedSteps));
  }

  /** Where the run stands. */
  public State state() {
    return state;
  }

  /** Names of the steps completed so far, in order. */
  public List<String> completedSteps() {
    return List.copyOf(completedSteps);
  }

  /** The workflow instance id. */
  public String workflowId() {
    return workflowId;
  }

  /** The execution id, if any. */
  public @Nullable String executionId() {
    return executionId;
  }

  private <T> T run(String name, @Nullable StepRetry retry, @Nullable Duration timeout, Callable<T> body)
      throws Exception {
    requireRunning("step");
    int maxAttempts = retry == null ? 1 : retry.maxAttempts();
    for (int attempt = 1; ; attempt++) {
      emit(new WorkflowEvent.StepStarted(base(), name, attempt));
      long started = clock.millis();
      try {
        T value = timeout == null ? body.call() : callWithTimeout(name, timeout, body);
        emit(new WorkflowEvent.StepCompleted(base(), name, attempt, clock.millis() - started, false));
        completedSteps.add(name);
        failedStep = null;
        return value;
      } catch (Exception e) {
        failedStep = name;
        failedAttempt = attempt;
        boolean willRetry = attempt < maxAttempts && !(e instanceof InterruptedException);
        emit(new WorkflowEvent.StepFailed(base(), name, attempt, ErrorDetails.of(e), willRetry));
        if (!willRetry) {
          if (retry != null && maxAttempts > 1) {
            emit(new WorkflowEvent.RetryExhausted(base(), name, attempt));
          }
          throw e;
        }
        waitBeforeRetry(name, attempt + 1, retry.delayBefore(attempt + 1));
      }
    }
  }

  private void waitBeforeRetry(String name, int nextAttempt, Duration delay) throws InterruptedException {
    Instant nextAttemptAt = clock.instant().plus(delay);
    emit(new WorkflowEvent.RetryScheduled(base(), name, nextAttempt, nextAttemptAt, delay.toMillis()));
    emit(new WorkflowEvent.WorkflowPaused(base(), PauseReason.RETRY, nextAttemptAt, name));
    try {
      sleeper.sleep(delay);
    } finally {
      emit(new WorkflowEvent.WorkflowResumed(base()));
    }
  }

  private <T> T callWithTimeout(String name, Duration timeout, Callable<T> body) throws Exception {
    Future<T> future = TIMEOUT_EXECUTOR.submit(body);
    try {
      return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      emit(new WorkflowEvent.TimeoutExceeded(base(), name, timeout.toMillis()));
      throw new TimeoutException(
          "step '" + name + "' of workflow " + workflowId + " exceeded its timeout of " + timeout.toMillis() + " ms");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Exception exception) {
        throw exception;
      }
      throw e;
    } catch (InterruptedException e) {
      future.cancel(true);
      throw e;
    }
  }

  private long sinceStart() {
    return Math.max(0, clock.millis() - startedAtMillis);
  }

  private BaseEvent base() {
    return WorkflowEvents.createBaseEvent(workflowId, workflowName, executionId, clock);
  }

  private void emit(WorkflowEvent event) {
    try {
      tracker.emit(event);
    } catch (RuntimeException e) {
      LOG.log(RateLimitedLog.Level.WARN, "emit-failed", 1, "durable-tracker: tracker threw from emit: " + e);
    }
  }

  private void requireRunning(String action) {
    require(state == State.RUNNING, action);
  }

  private void require(boolean allowed, String action) {
    if (!allowed) {
      throw new IllegalStateException(
          "cannot " + action + " workflow " + workflowName + " (" + workflowId + "): it is " + state);
    }
  }
}
