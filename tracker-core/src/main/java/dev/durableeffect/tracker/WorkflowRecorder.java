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
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/**
 * Turns the state transitions of one workflow run into the right lifecycle events, so that
 * workflow code never builds event records by hand: attempts, durations, {@code completedSteps},
 * {@code resumeAt} and {@code deadline} are computed here.
 *
 * <pre>{@code
 * WorkflowRecorder run = WorkflowRecorder.builder(tracker)
 *     .workflowId(orderId).workflowName("order-fulfillment").executionId(requestId).input(order)
 *     .start();
 * Payment payment = run.step("charge", StepRetry.of(3, Duration.ofSeconds(1)), () -> payments.charge(order));
 * run.sleep(Duration.ofSeconds(5));
 * run.complete();
 * }</pre>
 *
 * <p>Thread confinement: a recorder belongs to one workflow run and is used from one thread at a
 * time; it is not thread-safe. Terminal states ({@code complete}, {@code fail}, {@code cancel}) are
 * final: any later transition is an {@link IllegalStateException} naming the workflow and its state.
 * Emitting never throws: the tracker counts what it cannot take.
 *
 * <p>Timed steps ({@link #withTimeout}) run on another thread, from {@link
 * Builder#timeoutExecutor(Executor)} or the shared {@link #defaultTimeoutExecutor()}, with the
 * caller's SLF4J MDC and, when Micrometer's context-propagation library is present, its registered
 * thread-local context (trace and observation scopes) carried over.
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

  /** Name prefix of the threads of {@link #defaultTimeoutExecutor()}, followed by a number. */
  public static final String TIMEOUT_THREAD_NAME_PREFIX = "durable-tracker-step-";

  /** Seconds an idle thread of {@link #defaultTimeoutExecutor()} is kept before it ends. */
  public static final int TIMEOUT_THREAD_KEEP_ALIVE_SECONDS = 30;

  private static final Sleeper THREAD_SLEEP = duration -> Thread.sleep(duration.toMillis());
  private static final RateLimitedLog LOG =
      new RateLimitedLog(LoggerFactory.getLogger(WorkflowRecorder.class), Duration.ofSeconds(30));

  private final EventTracker tracker;
  private final String workflowId;
  private final String workflowName;
  private final @Nullable String executionId;
  private final @Nullable Object input;
  private final Clock clock;
  private final Sleeper sleeper;
  /** Null: the default executor, looked up per timed step so that a shut-down default is replaced. */
  private final @Nullable Executor timeoutExecutor;
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
      Sleeper sleeper,
      @Nullable Executor timeoutExecutor) {
    this.tracker = tracker;
    this.workflowId = workflowId;
    this.workflowName = workflowName;
    this.executionId = executionId;
    this.input = input;
    this.clock = clock;
    this.sleeper = sleeper;
    this.timeoutExecutor = timeoutExecutor;
    this.state = State.QUEUED;
    // Validates the ids now, naming the bad field, rather than at the first event.
    WorkflowEvents.createBaseEvent(workflowId, workflowName, executionId, clock);
  }

  /**
   * A builder of a run of a workflow on {@code tracker}: set the ids, then {@link Builder#start()}
   * or {@link Builder#queue()}.
   */
  public static Builder builder(EventTracker tracker) {
    return new Builder(tracker);
  }

  /**
   * The executor timed steps run on unless the builder names another: daemon threads named
   * {@value #TIMEOUT_THREAD_NAME_PREFIX}N, created on demand and ended after {@value
   * #TIMEOUT_THREAD_KEEP_ALIVE_SECONDS} s idle, so it holds no thread while unused and never keeps
   * the JVM from exiting.
   */
  public static Executor defaultTimeoutExecutor() {
    return TimeoutExecutor.shared();
  }

  /**
   * Shuts the default executor down now, for applications that are unloaded while the JVM goes on
   * (tests, redeploys): interrupts timed steps still running on it and waits up to {@code wait} for
   * its threads to end. A later timed step starts a new default executor.
   *
   * @return whether every thread ended within {@code wait}
   */
  public static boolean shutdownDefaultTimeoutExecutor(Duration wait) throws InterruptedException {
    return TimeoutExecutor.shutdown(wait.toMillis());
  }

  /** Starts a run: emits {@code workflow.started} with {@code input}. See also {@link #builder}. */
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
    return create(tracker, workflowId, workflowName, executionId, input, clock, THREAD_SLEEP, null)
        .begin0();
  }

  /**
   * Queues a run: emits {@code workflow.queued}; a later {@link #begin()} emits {@code
   * workflow.started}. See also {@link #builder}.
   */
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
    return create(tracker, workflowId, workflowName, executionId, input, clock, THREAD_SLEEP, null)
        .queue0();
  }

  static WorkflowRecorder create(
      EventTracker tracker,
      String workflowId,
      String workflowName,
      @Nullable String executionId,
      @Nullable Object input,
      Clock clock,
      Sleeper sleeper) {
    return create(tracker, workflowId, workflowName, executionId, input, clock, sleeper, null);
  }

  static WorkflowRecorder create(
      EventTracker tracker,
      String workflowId,
      String workflowName,
      @Nullable String executionId,
      @Nullable Object input,
      Clock clock,
      Sleeper sleeper,
      @Nullable Executor timeoutExecutor) {
    return new WorkflowRecorder(
        tracker, workflowId, workflowName, executionId, input, clock, sleeper, timeoutExecutor);
  }

  private WorkflowRecorder queue0() {
    emit(new WorkflowEvent.WorkflowQueued(base(), input));
    return this;
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
   * and a {@link TimeoutException} is thrown. The body runs on the recorder's timeout executor,
   * with the caller's MDC (and context-propagation context, when present).
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
    FutureTask<T> future = new FutureTask<>(CallerContext.capture(body));
    (timeoutExecutor != null ? timeoutExecutor : TimeoutExecutor.shared()).execute(future);
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

  /**
   * Collects the ids of one run. {@code workflowId} and {@code workflowName} are required; the
   * clock defaults to {@link Clock#systemUTC()} and the timeout executor to {@link
   * #defaultTimeoutExecutor()}. Ids are validated by {@link #start()} and {@link #queue()}, which
   * name the bad field.
   */
  public static final class Builder {
    private final EventTracker tracker;
    private @Nullable String workflowId;
    private @Nullable String workflowName;
    private @Nullable String executionId;
    private @Nullable Object input;
    private Clock clock = Clock.systemUTC();
    private @Nullable Executor timeoutExecutor;

    private Builder(EventTracker tracker) {
      this.tracker = Objects.requireNonNull(tracker, "tracker");
    }

    /** The id of this workflow instance; required. */
    public Builder workflowId(String workflowId) {
      this.workflowId = workflowId;
      return this;
    }

    /** The workflow definition's name; required. */
    public Builder workflowName(String workflowName) {
      this.workflowName = workflowName;
      return this;
    }

    /** A caller-supplied correlation id; left out of events when null or empty. */
    public Builder executionId(@Nullable String executionId) {
      this.executionId = executionId;
      return this;
    }

    /** The value the workflow was started with, sent as JSON in {@code workflow.started}/{@code queued}. */
    public Builder input(@Nullable Object input) {
      this.input = input;
      return this;
    }

    /** Where event timestamps and durations come from. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Where timed steps run, for example the application's own pool or a virtual-thread executor.
     * It must run each task on a thread other than the caller's; the recorder interrupts a step that
     * exceeds its timeout and never shuts the executor down.
     */
    public Builder timeoutExecutor(Executor timeoutExecutor) {
      this.timeoutExecutor = Objects.requireNonNull(timeoutExecutor, "timeoutExecutor");
      return this;
    }

    /** Starts the run: emits {@code workflow.started} with the input. */
    public WorkflowRecorder start() {
      return build().begin0();
    }

    /** Queues the run: emits {@code workflow.queued}; {@link WorkflowRecorder#begin()} starts it. */
    public WorkflowRecorder queue() {
      return build().queue0();
    }

    private WorkflowRecorder build() {
      return create(
          tracker,
          required(workflowId, "workflowId"),
          required(workflowName, "workflowName"),
          executionId,
          input,
          clock,
          THREAD_SLEEP,
          timeoutExecutor);
    }

    private static String required(@Nullable String value, String field) {
      if (value == null) {
        throw new IllegalArgumentException(field + " is required but was null");
      }
      return value;
    }
  }
}
