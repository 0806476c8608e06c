package dev.durableeffect.tracker.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.durableeffect.tracker.DropReason;
import dev.durableeffect.tracker.HandClockLog;
import dev.durableeffect.tracker.RateLimitedLog;
import dev.durableeffect.tracker.TestEvents;
import dev.durableeffect.tracker.TrackerStats;
import dev.durableeffect.tracker.event.WorkflowEvent;
import dev.durableeffect.tracker.event.WorkflowEvents;
import dev.durableeffect.tracker.spool.SpoolConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The sender loop driven directly, with a transport the test scripts and a log that writes every
 * line (no rate limit), so that what is counted, dropped, logged and handed to the transport can be
 * checked exactly. The flush interval is an hour: whatever is sent was sent for another reason than
 * its age.
 */
class SenderLoopTest {

  private static final Duration HOUR = Duration.ofHours(1);
  private static final Pattern DROP_LINE = Pattern.compile("dropped (\\d+) events? \\((\\w+)\\)");

  private final Logger logger = (Logger) LoggerFactory.getLogger("dev.durableeffect.tracker.test.SenderLoopTest");
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final List<Loop> loops = new ArrayList<>();
  @TempDir Path spoolDirectory;

  SenderLoopTest() {
    logs.start();
    logger.addAppender(logs);
    logger.setLevel(Level.INFO);
  }

  @AfterEach
  void stopLoops() {
    for (Loop loop : loops) {
      loop.abortIfRunning();
      if (loop.spooler != null) {
        loop.spooler.close();
      }
    }
    logger.detachAppender(logs);
  }

  /** A transport that holds what it is given and delivers it when the test says so. */
  static class ScriptedTransport implements Transport {
    private final ArrayDeque<OutgoingBatch> held = new ArrayDeque<>();
    final List<String> deliveredIds = Collections.synchronizedList(new ArrayList<>());
    final List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());
    /** The {@code nanoTime} the loop passed to the turn that delivered each batch. */
    final List<Long> deliveredAt = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger forgets = new AtomicInteger();
    final AtomicLong advances = new AtomicLong();
    @Nullable TransportContext context;
    volatile boolean delivering = true;
    volatile boolean room = true;
    volatile @Nullable RuntimeException failNext;
    volatile boolean failAlways;
    /** While set, held batches are delivered only from this {@code nanoTime} on, which is the timer returned. */
    volatile long holdUntil = NO_TIMER;

    @Override
    public boolean hasRoom() {
      return room && held.size() < 2;
    }

    @Override
    public void add(OutgoingBatch batch) {
      batchSizes.add(batch.size());
      held.addLast(batch);
    }

    @Override
    public long advance(long nowNanos, boolean closing, long deadlineNanos) {
      advances.incrementAndGet();
      RuntimeException failure = failNext;
      if (failure != null) {
        failNext = null;
        throw failure;
      }
      if (failAlways) {
        throw new IllegalStateException("transport bug on every turn");
      }
      long until = holdUntil;
      if (until != NO_TIMER && !held.isEmpty() && nowNanos - until < 0) {
        return until;
      }
      if (delivering) {
        OutgoingBatch batch;
        while ((batch = held.pollFirst()) != null) {
          for (int i = 0; i < batch.size(); i++) {
            deliveredIds.add(batch.eventId(i));
          }
          deliveredAt.add(nowNanos);
          context.delivered(batch, batch.size());
        }
      }
      return NO_TIMER;
    }

    @Override
    public boolean idle() {
      return held.isEmpty();
    }

    @Override
    public void forget() {
      forgets.incrementAndGet();
      held.clear();
    }

    @Override
    public void close() {}

    /** Lets the loop deliver what it holds from now on. */
    void deliver() {
      delivering = true;
      context.wake();
    }
  }

  /** The loop on its own thread, with the engine's queue, counters and flush waiters. */
  final class Loop {
    final EventQueue queue;
    final DeliveryCounters counters = new DeliveryCounters(Clock.systemUTC());
    final FlushWaiters waiters = new FlushWaiters();
    final ScriptedTransport transport = new ScriptedTransport();
    final SenderLoop loop;
    final @Nullable Spooler spooler;
    final Thread thread;
    long accepted = -1;

    /** A loop with a flush interval of an hour that parks up to an hour: only a wake-up moves it. */
    Loop(int maxQueueSize, int batchSize, int maxEventBytes) {
      this(maxQueueSize, batchSize, maxEventBytes, HOUR, HOUR);
    }

    Loop(int maxQueueSize, int batchSize, int maxEventBytes, Duration flushInterval, Duration maxPark) {
      this(maxQueueSize, batchSize, maxEventBytes, flushInterval, maxPark, new RateLimitedLog(logger, Duration.ZERO));
    }

    Loop(int maxQueueSize, int batchSize, int maxEventBytes, Duration flushInterval, Duration maxPark, RateLimitedLog log) {
      this(maxQueueSize, batchSize, maxEventBytes, flushInterval, maxPark, log, null);
    }

    /** With a disk spool in {@code spool}'s directory, when not null. */
    Loop(
        int maxQueueSize,
        int batchSize,
        int maxEventBytes,
        Duration flushInterval,
        Duration maxPark,
        RateLimitedLog log,
        @Nullable SpoolConfig spool) {
      queue = new EventQueue(maxQueueSize);
      EngineSettings settings =
          new EngineSettings(
              "test", "svc", maxQueueSize, batchSize, batchSize, flushInterval, maxEventBytes, 1024 * 1024,
              Duration.ofSeconds(5), "test-sender", "scripted", spool);
      spooler = spool == null ? null : Spooler.open(spool, counters, log);
      loop =
          new SenderLoop(
              settings,
              queue,
              counters,
              waiters,
              context -> {
                transport.context = context;
                return transport;
              },
              spooler,
              log,
              maxPark.toNanos());
      thread = new Thread(loop, "sender-loop-test");
      thread.setDaemon(true);
      thread.start();
      loops.add(this);
    }

    /** What {@link DeliveryEngine#emit} does. */
    void emit(@Nullable WorkflowEvent event) {
      if (event == null) {
        counters.refused(DropReason.INVALID);
        return;
      }
      long depth = queue.offer(event);
      if (depth < 0) {
        counters.refused(depth == EventQueue.FULL ? DropReason.QUEUE_FULL : DropReason.CLOSED);
        return;
      }
      loop.nudge(depth);
    }

    /** What {@link DeliveryEngine#flush} does without a spool. */
    CompletableFuture<Void> flush() {
      CompletableFuture<Void> done = new CompletableFuture<>();
      waiters.add(queue.accepted(), done);
      waiters.completeUpTo(counters.watermark());
      loop.wake();
      return done;
    }

    /** Starts closing with {@code timeout} to deliver; the loop stops by itself. */
    void beginClose(Duration timeout) {
      accepted = queue.close();
      loop.beginClose(accepted, System.nanoTime() + timeout.toNanos());
    }

    /** Waits until the sender thread parks (nothing in these tests parks it but the loop's own park). */
    void awaitParked() {
      await().atMost(Duration.ofSeconds(20)).until(() -> thread.getState() == Thread.State.TIMED_WAITING);
    }

    /** Waits for the thread to stop, for tests that then reuse what it held. */
    void awaitStoppedQuietly() {
      await().atMost(Duration.ofSeconds(20)).until(() -> !thread.isAlive());
    }

    void awaitStopped() throws InterruptedException {
      thread.join(TimeUnit.SECONDS.toMillis(20));
      assertThat(thread.isAlive()).as("sender thread stopped").isFalse();
    }

    TrackerStats stats() {
      return counters.snapshot(queue.accepted());
    }

    void abortIfRunning() {
      if (thread.isAlive()) {
        loop.beginClose(queue.close(), System.nanoTime());
        loop.abort();
      }
    }
  }

  private List<String> messages() {
    synchronized (logs.list) {
      return logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
  }

  /** The events the drop lines of {@code reason} name, added up. */
  private long loggedDrops(DropReason reason) {
    long sum = 0;
    for (String message : messages()) {
      Matcher matcher = DROP_LINE.matcher(message);
      if (matcher.find() && matcher.group(2).equals(reason.name())) {
        sum += Long.parseLong(matcher.group(1));
      }
    }
    return sum;
  }

  private static List<String> ids(List<WorkflowEvent> events) {
    return events.stream().map(e -> e.base().eventId()).toList();
  }

  private static List<WorkflowEvent> events(int count) {
    List<WorkflowEvent> events = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      events.add(TestEvents.numbered(i));
    }
    return events;
  }

  @Test
  void aFlushTakesEventsBelowABatchAndCompletesOnceTheyAreDeliveredInEmitOrder() throws Exception {
    Loop loop = new Loop(100, 10, 64 * 1024);
    List<WorkflowEvent> events = events(25);
    events.forEach(loop::emit);

    loop.flush().get(20, TimeUnit.SECONDS);

    assertThat(loop.transport.deliveredIds).containsExactlyElementsOf(ids(events));
    assertThat(loop.transport.batchSizes).allSatisfy(size -> assertThat(size).isBetween(1, 10));
    assertThat(loop.stats().delivered()).isEqualTo(25);
    assertThat(loop.stats().pending()).isZero();
  }

  @Test
  void aFlushWaitsUntilTheTransportHasDeliveredAndCompletesThen() throws Exception {
    Loop loop = new Loop(100, 10, 64 * 1024);
    loop.transport.delivering = false;
    events(3).forEach(loop::emit);
    CompletableFuture<Void> flushed = loop.flush();
    await().atMost(Duration.ofSeconds(20)).until(() -> loop.transport.batchSizes.size() == 1);
    assertThat(flushed).isNotDone();

    loop.transport.deliver();

    flushed.get(20, TimeUnit.SECONDS);
    assertThat(loop.stats().delivered()).isEqualTo(3);
  }

  @Test
  void aFullBatchIsSentWithoutAFlushLongBeforeTheInterval() {
    Loop loop = new Loop(100, 5, 64 * 1024);
    events(5).forEach(loop::emit);

    await().atMost(Duration.ofSeconds(20)).until(() -> loop.stats().delivered() == 5);
    assertThat(loop.transport.batchSizes).containsExactly(5);
  }

  @Test
  void closingSendsWhatIsBelowABatchAndStops() throws Exception {
    Loop loop = new Loop(100, 50, 64 * 1024);
    events(7).forEach(loop::emit);

    loop.beginClose(Duration.ofSeconds(30));
    loop.awaitStopped();

    assertThat(loop.stats().delivered()).isEqualTo(7);
    assertThat(loop.transport.forgets).hasValue(0);
    assertThat(loop.counters.closeOut(loop.accepted)).isZero();
    assertThat(loggedDrops(DropReason.CLOSED)).isZero();
  }

  @Test
  void atTheShutdownDeadlineAHungSendIsForgottenAndItsEventsCountedAndLoggedAsClosed() throws Exception {
    Loop loop = new Loop(100, 4, 64 * 1024);
    loop.transport.delivering = false;
    events(4).forEach(loop::emit);
    await().atMost(Duration.ofSeconds(20)).until(() -> loop.transport.batchSizes.size() == 1);
    events(2).forEach(loop::emit);

    loop.beginClose(Duration.ofMillis(200));
    loop.awaitStopped();

    assertThat(loop.transport.forgets).hasValue(1);
    assertThat(loop.stats().dropped(DropReason.CLOSED)).isEqualTo(6);
    assertThat(loop.stats().pending()).isZero();
    assertThat(messages()).contains("durable-tracker: dropped 6 events (CLOSED): shutdown timeout reached");
    assertThat(loop.counters.closeOut(loop.accepted)).isZero();
  }

  @Test
  void aDeadlineReachedWithNothingHeldLogsNoDrop() throws Exception {
    Loop loop = new Loop(100, 10, 64 * 1024);
    events(3).forEach(loop::emit);
    loop.flush().get(20, TimeUnit.SECONDS);

    loop.beginClose(Duration.ZERO);
    loop.awaitStopped();

    assertThat(loop.stats().delivered()).isEqualTo(3);
    assertThat(messages()).noneMatch(m -> m.contains("dropped"));
  }

  @Test
  void abortStopsTheLoopBeforeTheDeadlineAndDropsWhatItHeldAsClosed() throws Exception {
    Loop loop = new Loop(100, 3, 64 * 1024);
    loop.transport.delivering = false;
    events(3).forEach(loop::emit);
    await().atMost(Duration.ofSeconds(20)).until(() -> loop.transport.batchSizes.size() == 1);

    long turns = loop.transport.advances.get();
    loop.beginClose(HOUR);
    // Parked again after a turn that saw the close: only abort's own wake-up can stop it now.
    await().atMost(Duration.ofSeconds(20)).until(() -> loop.transport.advances.get() > turns);
    loop.awaitParked();
    loop.loop.abort();
    loop.awaitStopped();

    assertThat(loop.transport.forgets).hasValue(1);
    assertThat(loop.stats().dropped(DropReason.CLOSED)).isEqualTo(3);
    assertThat(messages()).contains("durable-tracker: dropped 3 events (CLOSED): shutdown timeout reached");
  }

  @Test
  void aFailureOfTheLoopDropsWhatItHeldAsInternalErrorLogsItAndGoesOn() throws Exception {
    Loop loop = new Loop(100, 3, 64 * 1024);
    loop.transport.delivering = false;
    events(3).forEach(loop::emit);
    await().atMost(Duration.ofSeconds(20)).until(() -> loop.transport.batchSizes.size() == 1);

    loop.transport.failNext = new IllegalStateException("transport bug");
    loop.transport.deliver();
    await().atMost(Duration.ofSeconds(20)).until(() -> loop.stats().dropped(DropReason.INTERNAL_ERROR) == 3);

    assertThat(loop.transport.forgets).hasValue(1);
    assertThat(loop.counters.watermark()).isEqualTo(3);
    assertThat(messages())
        .contains(
            "durable-tracker: dropped 3 events (INTERNAL_ERROR): the sender failed with java.lang.IllegalStateException",
            "durable-tracker: the sender failed; it keeps running");
    List<WorkflowEvent> later = events(2);
    later.forEach(loop::emit);
    loop.flush().get(20, TimeUnit.SECONDS);
    assertThat(loop.transport.deliveredIds).containsExactlyElementsOf(ids(later));
    assertThat(loop.stats().delivered()).isEqualTo(2);
    assertThat(loop.stats().pending()).isZero();
  }

  @Test
  void aFailureOfTheLoopDropsEventsKeptInMemoryWhileTheSpoolFailsAndNeverSendsThemAfter() {
    Loop loop = spoolLoop(3, HOUR);
    loop.spooler.store().close(); // every write fails from now on: the spooler keeps batches in memory
    loop.transport.room = false;
    events(3).forEach(loop::emit);
    await().atMost(Duration.ofSeconds(20)).until(() -> loop.queue.size() == 0 && loop.spooler.failures() == 1);
    loop.awaitParked();

    loop.transport.failNext = new IllegalStateException("transport bug");
    loop.loop.wake();
    await().atMost(Duration.ofSeconds(20)).until(() -> loop.stats().dropped(DropReason.INTERNAL_ERROR) == 3);
    loop.awaitParked();
    long turns = loop.transport.advances.get();
    loop.transport.room = true;
    loop.loop.wake();
    await().atMost(Duration.ofSeconds(20)).until(() -> loop.transport.advances.get() > turns);
    loop.awaitParked();

    assertThat(loop.transport.batchSizes).as("the dropped batch is not sent after all").isEmpty();
    assertThat(loop.stats().delivered()).isZero();
    assertThat(loop.stats().pending()).isZero();
  }

  @Test
  void aFailureOfTheLoopDropsBatchesReadBackFromTheSpoolOnceAndAcknowledgesThem() {
    Loop loop = spoolLoop(3, HOUR);
    loop.transport.delivering = false;
    events(3).forEach(loop::emit);
    await().atMost(Duration.ofSeconds(20)).until(() -> loop.transport.batchSizes.size() == 1);

    loop.transport.failNext = new IllegalStateException("transport bug");
    loop.loop.wake();
    await().atMost(Duration.ofSeconds(20)).until(() -> loop.stats().dropped(DropReason.INTERNAL_ERROR) == 3);

    assertThat(loop.stats().pending()).isZero();
    loop.abortIfRunning();
    loop.awaitStoppedQuietly();
    loop.spooler.close();
    DeliveryCounters next = new DeliveryCounters(Clock.systemUTC());
    Spooler reopened = Spooler.open(SpoolConfig.builder(spoolDirectory).build(), next, new RateLimitedLog(logger, Duration.ZERO));
    try {
      assertThat(next.recovered()).as("acknowledged: not found again by the next start").isZero();
    } finally {
      reopened.close();
    }
  }

  @Test
  void anEventOverMaxEventBytesIsDroppedCountedAndLoggedWhileItsNeighboursGo() throws Exception {
    Loop loop = new Loop(100, 10, 2048);
    WorkflowEvent huge =
        TestEvents.workflowStarted(WorkflowEvents.createBaseEvent("wf-huge", "test", "exec"), "x".repeat(10_000));
    List<WorkflowEvent> small = events(2);
    loop.emit(small.get(0));
    loop.emit(huge);
    loop.emit(small.get(1));

    loop.flush().get(20, TimeUnit.SECONDS);

    assertThat(loop.transport.deliveredIds).containsExactlyElementsOf(ids(small));
    assertThat(loop.stats().dropped(DropReason.TOO_LARGE)).isEqualTo(1);
    assertThat(loggedDrops(DropReason.TOO_LARGE)).isEqualTo(1);
    assertThat(loop.stats().pending()).isZero();
  }

  @Test
  void refusalsAreLoggedByTheLoopEachCountedOnceWithItsReason() throws Exception {
    // Refusals wake nobody: the loop logs them on its periodic wake-up, at most a second apart.
    Loop loop = new Loop(2, 10, 64 * 1024, HOUR, Duration.ofNanos(SenderLoop.MAX_PARK_NANOS));
    loop.transport.room = false;
    events(5).forEach(loop::emit);
    loop.emit(null);
    await().atMost(Duration.ofSeconds(20)).until(() -> loggedDrops(DropReason.QUEUE_FULL) == 3);
    assertThat(messages())
        .anyMatch(m -> m.matches("durable-tracker: dropped \\d events \\(QUEUE_FULL\\): the queue held maxQueueSize=2 events"));
    events(2).forEach(loop::emit);
    await().atMost(Duration.ofSeconds(20)).until(() -> loggedDrops(DropReason.QUEUE_FULL) == 5);
    loop.queue.close();
    loop.emit(TestEvents.numbered(99));
    await().atMost(Duration.ofSeconds(20)).until(() -> loggedDrops(DropReason.CLOSED) == 1);

    loop.transport.room = true;
    loop.beginClose(Duration.ofSeconds(30));
    loop.awaitStopped();

    assertThat(loop.stats().delivered()).isEqualTo(2);
    assertThat(loggedDrops(DropReason.QUEUE_FULL)).isEqualTo(5);
    assertThat(loggedDrops(DropReason.INVALID)).isEqualTo(1);
    assertThat(loggedDrops(DropReason.CLOSED)).isEqualTo(1);
    assertThat(messages()).noneMatch(m -> m.contains("dropped 0 "));
    assertThat(messages())
        .contains(
            "durable-tracker: dropped 1 events (INVALID): the event was null",
            "durable-tracker: dropped 1 events (CLOSED): the tracker is closed");
  }

  @Test
  void anInterruptOfTheSenderIsLoggedAndTheLoopGoesOn() throws Exception {
    Loop loop = new Loop(100, 10, 64 * 1024);
    events(2).forEach(loop::emit);
    loop.flush().get(20, TimeUnit.SECONDS);
    assertThat(messages()).noneMatch(m -> m.contains("interrupted"));

    loop.thread.interrupt();

    await().atMost(Duration.ofSeconds(20)).until(() -> messages().stream().anyMatch(m -> m.contains("interrupted")));
    events(2).forEach(loop::emit);
    loop.flush().get(20, TimeUnit.SECONDS);
    assertThat(loop.stats().delivered()).isEqualTo(4);
  }

  /**
   * The loop turns once per wake-up: with nothing to do it parks (at most a second at a time), so
   * in half a second it turns a few times, where a spinning loop turns thousands of times even on
   * a loaded machine. The bound is far above what parking allows, so a slow machine cannot fail it.
   */
  @Test
  void anIdleLoopAndALoopWaitingForAFullBatchParkInsteadOfSpinning() throws Exception {
    Loop loop = new Loop(100, 10, 64 * 1024);
    events(2).forEach(loop::emit);
    loop.flush().get(20, TimeUnit.SECONDS);
    long idleStart = loop.transport.advances.get();
    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(20))
        .until(() -> loop.transport.advances.get() - idleStart < 50);

    loop.emit(TestEvents.numbered(2));
    long waitingStart = loop.transport.advances.get();
    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(20))
        .until(() -> loop.transport.advances.get() - waitingStart < 50);
    assertThat(loop.stats().pending()).isEqualTo(1);
  }

  // The loops below park up to an hour: each wake-up the protocol promises must happen, since the
  // periodic one would come too late for the test's twenty seconds.

  @Test
  void anIdleSenderIsWokenByTheFirstEventAndSendsItOnceItIsFlushIntervalOld() {
    Loop loop = new Loop(100, 10, 64 * 1024, Duration.ofMillis(300), HOUR);
    loop.awaitParked();

    long emitted = System.nanoTime();
    loop.emit(TestEvents.numbered(1));

    await().atMost(Duration.ofSeconds(20)).until(() -> loop.stats().delivered() == 1);
    assertThat(loop.transport.deliveredAt.get(0) - emitted)
        .as("nanos from the emit to the turn that sent it: not before the flush interval")
        .isGreaterThanOrEqualTo(Duration.ofMillis(300).toNanos());
  }

  /** A loop with a spool that syncs once an hour: no timer but the loop's own wakes it. */
  private Loop spoolLoop(int batchSize, Duration flushInterval) {
    SpoolConfig spool = SpoolConfig.builder(spoolDirectory).syncInterval(HOUR).build();
    return new Loop(100, batchSize, 64 * 1024, flushInterval, HOUR, new RateLimitedLog(logger, Duration.ZERO), spool);
  }

  @Test
  void withASpoolEventsBelowABatchAreSentOnceTheOldestUnsentIsFlushIntervalOldAndTheLoopParksAfter() {
    Loop loop = spoolLoop(100, Duration.ofMillis(300));
    loop.awaitParked();

    List<WorkflowEvent> sent = events(3);
    long emitted = System.nanoTime();
    sent.forEach(loop::emit);

    await().atMost(Duration.ofSeconds(20)).until(() -> loop.stats().delivered() == 3);
    assertThat(loop.transport.deliveredIds).containsExactlyElementsOf(ids(sent));
    assertThat(loop.transport.deliveredAt.get(0) - emitted)
        .as("written to the spool, then read back once flushInterval old, not before")
        .isGreaterThanOrEqualTo(Duration.ofMillis(300).toNanos());
    loop.awaitParked();
    long advances = loop.transport.advances.get();
    loop.awaitParked();
    assertThat(loop.transport.advances.get()).as("parked, not spinning").isEqualTo(advances);
  }

  @Test
  void withASpoolTheLoopParksWhileWrittenEventsWaitForFlushInterval() {
    Loop loop = spoolLoop(100, Duration.ofSeconds(30));
    events(3).forEach(loop::emit);
    await().atMost(Duration.ofSeconds(20)).until(() -> loop.stats().pending() == 3 && loop.queue.size() == 0);
    loop.awaitParked();

    long turns = loop.transport.advances.get();
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(5))
        .until(() -> loop.transport.advances.get() == turns);
    assertThat(loop.stats().delivered()).isZero();
  }

  @Test
  void closingWithASpoolSendsWhatWasWrittenToItBeforeStopping() throws InterruptedException {
    Loop loop = spoolLoop(100, HOUR);
    List<WorkflowEvent> sent = events(3);
    sent.forEach(loop::emit);
    await().atMost(Duration.ofSeconds(20)).until(() -> loop.stats().pending() == 3 && loop.queue.size() == 0);
    assertThat(loop.stats().delivered()).as("written to the spool, not sent: far below a batch").isZero();

    loop.beginClose(Duration.ofSeconds(10));

    loop.awaitStopped();
    assertThat(loop.transport.deliveredIds).containsExactlyElementsOf(ids(sent));
    assertThat(loop.stats().pending()).isZero();
  }

  @Test
  void aSenderWaitingForAFullBatchIsWokenByTheEventThatCompletesIt() {
    Loop loop = new Loop(100, 10, 64 * 1024);
    loop.emit(TestEvents.numbered(0));
    loop.awaitParked();
    events(8).forEach(loop::emit);
    assertThat(loop.stats().delivered()).isZero();

    loop.emit(TestEvents.numbered(9));

    await().atMost(Duration.ofSeconds(20)).until(() -> loop.stats().delivered() == 10);
    assertThat(loop.transport.batchSizes).containsExactly(10);
  }

  @Test
  void aTimerOfTheTransportWakesTheSender() {
    Loop loop = new Loop(100, 5, 64 * 1024);
    long from = System.nanoTime();
    loop.transport.holdUntil = from + Duration.ofMillis(300).toNanos();

    events(5).forEach(loop::emit);

    await().atMost(Duration.ofSeconds(20)).until(() -> loop.stats().delivered() == 5);
    assertThat(loop.transport.deliveredAt.get(0) - from).isGreaterThanOrEqualTo(Duration.ofMillis(300).toNanos());
  }

  @Test
  void aLoopThatFailsOnEveryTurnPausesBetweenTurnsInsteadOfSpinning() {
    Loop loop = new Loop(100, 10, 64 * 1024);
    events(2).forEach(loop::emit);
    loop.transport.failAlways = true;
    loop.loop.wake();
    await().atMost(Duration.ofSeconds(20)).until(() -> loop.transport.advances.get() > 3);

    // A pause of 10 ms a failure allows 50 turns in half a second; a loop without it turns
    // thousands of times.
    long start = loop.transport.advances.get();
    await()
        .during(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(20))
        .until(() -> loop.transport.advances.get() - start < 200);
    loop.transport.failAlways = false;
  }

  @Test
  void noEventIsTakenWhileTheTransportHasNoRoom() {
    Loop loop = new Loop(100, 2, 64 * 1024);
    loop.transport.room = false;
    long turns = loop.transport.advances.get();
    events(6).forEach(loop::emit);
    await().atMost(Duration.ofSeconds(20)).until(() -> loop.transport.advances.get() > turns);
    loop.awaitParked();

    assertThat(loop.transport.batchSizes).isEmpty();
    assertThat(loop.queue.size()).isEqualTo(6);

    loop.transport.room = true;
    loop.loop.wake();
    await().atMost(Duration.ofSeconds(20)).until(() -> loop.stats().delivered() == 6);
    assertThat(loop.transport.batchSizes).containsExactly(2, 2, 2);
  }

  @Test
  void refusalsWithinTheLogIntervalAreCountedInTheNextLine() {
    AtomicLong clock = new AtomicLong();
    Loop loop =
        new Loop(2, 10, 64 * 1024, HOUR, Duration.ofNanos(SenderLoop.MAX_PARK_NANOS),
            HandClockLog.create(logger, Duration.ofSeconds(30), clock::get));
    loop.transport.room = false;
    events(5).forEach(loop::emit);
    await().atMost(Duration.ofSeconds(20)).until(() -> loggedDrops(DropReason.QUEUE_FULL) == 3);

    events(2).forEach(loop::emit);
    // Two turns begun after these refusals: the second one's report has seen them (and folded them).
    long turns = loop.transport.advances.get();
    await().atMost(Duration.ofSeconds(20)).until(() -> loop.transport.advances.get() >= turns + 2);
    assertThat(loggedDrops(DropReason.QUEUE_FULL)).isEqualTo(3);

    clock.addAndGet(Duration.ofSeconds(31).toNanos());
    loop.emit(TestEvents.numbered(9));
    await().atMost(Duration.ofSeconds(20)).until(() -> loggedDrops(DropReason.QUEUE_FULL) == 4);
    assertThat(messages())
        .contains(
            "durable-tracker: dropped 1 events (QUEUE_FULL): the queue held maxQueueSize=2 events"
                + " (and 1 more times, 2 events, since the last report)");
  }
}
