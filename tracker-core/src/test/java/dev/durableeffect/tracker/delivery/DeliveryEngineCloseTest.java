package dev.durableeffect.tracker.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.durableeffect.tracker.DropReason;
import dev.durableeffect.tracker.TestEvents;
import dev.durableeffect.tracker.spool.SpoolConfig;
import dev.durableeffect.tracker.spool.SpoolLockedException;
import dev.durableeffect.tracker.spool.SpoolStore;
import dev.durableeffect.tracker.spool.SpoolStatus;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * {@link DeliveryEngine} from the outside, with the scripted transport of {@link SenderLoopTest}:
 * what {@code close()} delivers, counts, logs and releases, flushes after close, and the spool's
 * status and pending count across a restart.
 */
class DeliveryEngineCloseTest {

  @TempDir Path directory;

  private final Logger logger = (Logger) LoggerFactory.getLogger(DeliveryEngine.class);
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final List<DeliveryEngine> engines = new ArrayList<>();

  DeliveryEngineCloseTest() {
    logs.start();
    logger.addAppender(logs);
  }

  @AfterEach
  void closeEngines() {
    engines.forEach(DeliveryEngine::close);
    logger.detachAppender(logs);
  }

  /** A scripted transport that counts its close. */
  static class Transport extends SenderLoopTest.ScriptedTransport {
    final AtomicInteger closes = new AtomicInteger();

    @Override
    public void close() {
      closes.incrementAndGet();
    }
  }

  private static EngineSettings settings(Duration shutdownTimeout, @Nullable SpoolConfig spool) {
    return new EngineSettings(
        "test", "svc", 1000, 100, 100, Duration.ofHours(1), 64 * 1024, 1024 * 1024, shutdownTimeout,
        "engine-close-test", "scripted", spool);
  }

  private DeliveryEngine start(EngineSettings settings, Transport transport) {
    DeliveryEngine engine =
        DeliveryEngine.start(
            settings,
            context -> {
              transport.context = context;
              return transport;
            });
    engines.add(engine);
    return engine;
  }

  /**
   * An engine with a spool whose sender has handed three events to {@code transport}: waits until
   * {@code entered} (counted down by the transport's {@code add}).
   */
  private DeliveryEngine startWithThreeEventsInTheTransport(Transport transport, CountDownLatch entered)
      throws InterruptedException {
    DeliveryEngine engine =
        start(settings(Duration.ofMillis(200), SpoolConfig.builder(directory).build()), transport);
    for (int i = 0; i < 3; i++) {
      engine.emit(TestEvents.numbered(i));
    }
    engine.flush();
    assertThat(entered.await(20, TimeUnit.SECONDS)).isTrue();
    return engine;
  }

  /**
   * Closes {@code engine} on a thread of its own, interrupts that thread once close() waits, and
   * says whether the interrupt was still set when close() returned.
   */
  private static boolean closeInterruptedWhileItWaits(DeliveryEngine engine) throws InterruptedException {
    AtomicBoolean interruptedAfterClose = new AtomicBoolean();
    Thread closing =
        new Thread(
            () -> {
              engine.close();
              interruptedAfterClose.set(Thread.currentThread().isInterrupted());
            });
    closing.start();
    await().atMost(Duration.ofSeconds(20)).until(() -> closing.getState() == Thread.State.TIMED_WAITING);
    closing.interrupt();
    closing.join(20_000);
    assertThat(closing.isAlive()).isFalse();
    return interruptedAfterClose.get();
  }

  private List<String> messages() {
    synchronized (logs.list) {
      return logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
  }

  @Test
  void closeDeliversWhatWaitsBelowABatchClosesTheTransportAndLogsTheTotals() {
    Transport transport = new Transport();
    DeliveryEngine engine = start(settings(Duration.ofSeconds(30), null), transport);
    for (int i = 0; i < 5; i++) {
      engine.emit(TestEvents.numbered(i));
    }

    engine.close();

    assertThat(engine.stats().delivered()).isEqualTo(5);
    assertThat(transport.closes).hasValue(1);
    assertThat(messages()).anyMatch(m -> m.startsWith("durable-tracker: closed; emitted 5, delivered 5, dropped 0 {QUEUE_FULL=0,"));
    engine.emit(TestEvents.numbered(9));
    assertThat(engine.stats().dropped(DropReason.CLOSED)).isEqualTo(1);
  }

  @Test
  void aFlushAfterCloseCompletesAtOnce() {
    DeliveryEngine engine =
        start(settings(Duration.ofSeconds(30), SpoolConfig.builder(directory).build()), new Transport());
    engine.close();

    CompletableFuture<Void> flush = engine.flush();

    assertThat(flush).isCompleted();
  }

  @Test
  void anInterruptThatArrivesWhileCloseWaitsIsRestoredWhenItReturns() throws Exception {
    Transport transport = new Transport();
    transport.delivering = false;
    DeliveryEngine engine = start(settings(Duration.ofSeconds(2), null), transport);
    for (int i = 0; i < 100; i++) {
      engine.emit(TestEvents.numbered(i));
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> transport.batchSizes.size() == 1);
    boolean interruptedAfterClose = closeInterruptedWhileItWaits(engine);

    assertThat(interruptedAfterClose).isTrue();
    assertThat(engine.stats().dropped(DropReason.CLOSED)).isEqualTo(100);
  }

  @Test
  void recoveredEventsArePendingAndTheSpoolStatusShowsTheirAge() {
    SpoolConfig spool = SpoolConfig.builder(directory).build();
    Transport hung = new Transport();
    hung.delivering = false;
    DeliveryEngine first = start(settings(Duration.ofMillis(200), spool), hung);
    for (int i = 0; i < 3; i++) {
      first.emit(TestEvents.numbered(i));
    }
    // Written, read back (the flush makes it due) and handed to the transport, which holds it.
    CompletableFuture<Void> flush = first.flush();
    await().atMost(Duration.ofSeconds(20)).until(() -> hung.batchSizes.size() == 1);
    SpoolStatus status = first.spoolStatus();
    assertThat(status.oldestAge()).isBetween(Duration.ZERO, Duration.ofMinutes(1));
    assertThat(status.segments()).isEqualTo(1);
    first.close();
    assertThat(flush).as("completed by close").isCompleted();
    assertThat(messages()).anyMatch(m -> m.startsWith("durable-tracker: 3 undelivered events stay in the spool "));

    Transport stillHung = new Transport();
    stillHung.delivering = false;
    stillHung.room = false;
    DeliveryEngine second = start(settings(Duration.ofMillis(200), spool), stillHung);

    assertThat(second.pending()).isEqualTo(3);
    assertThat(second.stats().recovered()).isEqualTo(3);
  }

  @Test
  void eventsWaitingInTheQueueAreCounted() {
    Transport full = new Transport();
    full.room = false;
    DeliveryEngine engine = start(settings(Duration.ofMillis(200), null), full);
    for (int i = 0; i < 7; i++) {
      engine.emit(TestEvents.numbered(i));
    }

    assertThat(engine.queueSize()).isEqualTo(7);
    assertThat(engine.pending()).isEqualTo(7);
  }

  @Test
  void aTransportThatCannotBeCreatedReleasesTheSpoolDirectory() {
    SpoolConfig spool = SpoolConfig.builder(directory).build();
    assertThatThrownBy(
            () ->
                DeliveryEngine.start(
                    settings(Duration.ofMillis(200), spool),
                    context -> {
                      throw new IllegalStateException("no transport");
                    }))
        .hasMessage("no transport");

    DeliveryEngine engine = start(settings(Duration.ofMillis(200), spool), new Transport());

    assertThat(engine.spoolStatus()).isNotNull();
  }
  /** A transport whose {@code add} blocks the sender thread, ignoring interrupts, until released. */
  static final class HangingTransport extends Transport {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    public void add(OutgoingBatch batch) {
      super.add(batch);
      entered.countDown();
      boolean interrupted = false;
      while (true) {
        try {
          release.await();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Test
  void closeReturnsWhenTheSenderHangsInTheTransportCountsWhatItHeldAndLeavesTheSpoolOpen() throws Exception {
    HangingTransport hanging = new HangingTransport();
    DeliveryEngine engine = startWithThreeEventsInTheTransport(hanging, hanging.entered);

    // The deadline (200 ms), then 2 s for the sender to stop, then 2 s more after aborting it.
    CompletableFuture<Void> closed = CompletableFuture.runAsync(engine::close);
    try {
      closed.get(30, TimeUnit.SECONDS);
    } finally {
      if (!closed.isDone()) {
        hanging.release.countDown(); // so that a close that does not return on its own ends the test
      }
    }

    assertThat(hanging.closes).as("the transport is closed anyway").hasValue(1);
    assertThat(messages()).contains("durable-tracker: the sender thread did not stop; the spool stays open");
    assertThat(messages()).noneMatch(m -> m.contains("undelivered events stay in the spool"));
    assertThat(engine.stats().pending()).as("written to the spool: pending for the next start").isEqualTo(3);
    assertThatThrownBy(() -> SpoolStore.open(SpoolConfig.builder(directory).build(), Clock.systemUTC()))
        .as("the store was not closed under the hung sender: its lock is still held")
        .isInstanceOf(SpoolLockedException.class);
    hanging.release.countDown();
  }

  /**
   * A transport whose {@code add} keeps the sender thread until it is unparked after {@code
   * wakeableFrom} (a {@code nanoTime}): earlier wake-ups are ignored, so only a wake-up that comes
   * later (the abort of {@code close()}) releases it, 300 ms after.
   */
  static final class SlowTransport extends Transport {
    final CountDownLatch entered = new CountDownLatch(1);
    volatile @Nullable Thread sender;
    volatile long wakeableFrom = Long.MAX_VALUE;
    volatile boolean released;

    @Override
    public void add(OutgoingBatch batch) {
      super.add(batch);
      sender = Thread.currentThread();
      entered.countDown();
      while (!released) {
        LockSupport.park(this);
        if (System.nanoTime() - wakeableFrom >= 0) {
          // Woken by the abort: coming out of the transport still takes a moment.
          long end = System.nanoTime() + Duration.ofMillis(300).toNanos();
          for (long left; (left = end - System.nanoTime()) > 0; ) {
            LockSupport.parkNanos(left);
          }
          return;
        }
      }
    }

    /** Ends a wait that nothing else ends (for a broken close that does not abort the sender). */
    void release() {
      released = true;
      Thread thread = sender;
      if (thread != null) {
        LockSupport.unpark(thread);
      }
    }
  }

  @Test
  void aSenderStillBusyAtTheDeadlineIsAbortedAndCloseWaitsForItToStopBeforeReleasingTheSpool() throws Exception {
    SlowTransport slow = new SlowTransport();
    DeliveryEngine engine = startWithThreeEventsInTheTransport(slow, slow.entered);
    // From one second after the 200 ms deadline, while close() still waits its 2 s grace: only the
    // abort that follows that grace wakes the sender from then on.
    slow.wakeableFrom = System.nanoTime() + Duration.ofMillis(1200).toNanos();

    try {
      // Interrupted while close() waits for the sender, before it aborts it.
      boolean interruptedAfterClose = closeInterruptedWhileItWaits(engine);

      assertThat(interruptedAfterClose).as("the interrupt is restored after the abort too").isTrue();
      Thread sender = slow.sender;
      assertThat(sender).isNotNull();
      assertThat(sender.isAlive()).as("close() returned only once the aborted sender had stopped").isFalse();
      assertThat(messages()).noneMatch(m -> m.contains("the sender thread did not stop"));
      assertThat(engine.stats().droppedByReason()).containsEntry(DropReason.CLOSED, 0L);
      assertThat(engine.stats().pending()).as("read back, not delivered: pending in the spool").isEqualTo(3);
      try (SpoolStore reopened = SpoolStore.open(SpoolConfig.builder(directory).build(), Clock.systemUTC())) {
        assertThat(reopened.recovery().records()).as("released, and what was not delivered kept").isEqualTo(3);
      }
    } finally {
      slow.release();
    }
  }

  @Test
  void aSpoolEmptiedBeforeCloseLogsNothingLeftInIt() {
    DeliveryEngine engine =
        start(settings(Duration.ofSeconds(30), SpoolConfig.builder(directory).build()), new Transport());
    for (int i = 0; i < 3; i++) {
      engine.emit(TestEvents.numbered(i));
    }

    engine.close();

    assertThat(engine.stats().delivered()).isEqualTo(3);
    assertThat(messages()).noneMatch(m -> m.contains("undelivered events stay in the spool"));
  }
}
