package dev.durableeffect.tracker.kafka;

import dev.durableeffect.tracker.DropReason;
import dev.durableeffect.tracker.RateLimitedLog.Level;
import dev.durableeffect.tracker.delivery.OutgoingBatch;
import dev.durableeffect.tracker.delivery.Transport;
import dev.durableeffect.tracker.delivery.TransportContext;
import dev.durableeffect.tracker.http.SendOutcome;
import dev.durableeffect.tracker.http.SendReport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.jspecify.annotations.Nullable;

/**
 * Sends each event of a batch as one Kafka record: key the {@code workflowId}, value the event's
 * wire JSON, headers {@code eventId}, {@code type} and {@code content-type}. Records are handed to
 * the producer in emit order on the sender thread; the producer's callbacks (on its I/O thread) only
 * queue their result and wake the sender, which resolves them in {@link #advance}.
 *
 * <h2>Never blocking</h2>
 * The producer is created at the first send; while the bootstrap servers do not resolve (DNS not
 * ready yet), creating it fails, and that is handled like missing metadata below.
 * The producer runs with {@code max.block.ms=0}: when the topic's metadata is not known yet (the
 * cluster is unreachable), {@code send} fails at once without taking the record. That record stays
 * first in line and is offered again after a pause (20 ms doubling to 1 s); nothing behind it is
 * sent meanwhile, so order holds. Without a spool, records that waited longer than {@code
 * delivery.timeout.ms} are dropped as {@link DropReason#RETRIES_EXHAUSTED}, as the producer would.
 *
 * <h2>Order of a workflow's events</h2>
 * All records of a workflow have one key, so one partition. With idempotence on and at most 5
 * requests in flight per connection, Kafka writes a partition's records in the order {@code send}
 * was called, its own retries included. Without a spool, a record the producer gives up on
 * ({@code delivery.timeout.ms}) is dropped as {@link DropReason#RETRIES_EXHAUSTED}. With a spool it
 * is sent again, and order needs care: the producer might still write later records of the same
 * partition. So the transport closes the producer at once ({@code close(0)}: every record it holds
 * fails and none is written after that), sends nothing new until every record in flight is
 * resolved, then sends all failed records again first, in emit order, through a new producer, after
 * a backoff ({@code initialDelay} doubling to {@code maxDelay}). A record reported failed that the
 * broker did write (its acknowledgement was lost) arrives twice; receivers deduplicate on {@code
 * eventId}, as for HTTP retries, and its first copy is in order.
 *
 * <h2>Memory</h2>
 * {@link #hasRoom} holds the tracker to {@code maxInFlight} records and half the producer's {@code
 * buffer.memory} in flight (so the producer's buffer never fills, which would fail sends), plus the
 * one batch taken after that.
 */
final class KafkaTransport implements Transport {

  private static final long FIRST_PAUSE_NANOS = Duration.ofMillis(20).toNanos();
  private static final long MAX_PAUSE_NANOS = Duration.ofSeconds(1).toNanos();
  /** How long a record may find no metadata before that counts as a failure (health, log). */
  private static final long NO_METADATA_FAILURE_NANOS = Duration.ofSeconds(1).toNanos();
  private static final long NONE = Long.MIN_VALUE;
  private static final byte[] JSON = "application/json".getBytes(StandardCharsets.US_ASCII);
  /** Bytes a record takes besides key and value: header names and values, record overhead. */
  private static final int RECORD_OVERHEAD = 120;
  private static final Comparator<Sent> EMIT_ORDER =
      Comparator.<Sent>comparingLong(sent -> sent.state.sequence).thenComparingInt(sent -> sent.index);

  private final Supplier<Producer<byte[], byte[]>> producers;
  private final String topic;
  private final String destination;
  private final TransportContext context;
  private final int maxInFlight;
  private final long maxInFlightBytes;
  private final long giveUpNanos;
  private final long initialResendNanos;
  private final long maxResendNanos;
  private final long stallNanos;
  private final ConcurrentLinkedQueue<Sent> completions = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean wakeRequested = new AtomicBoolean();

  // Sender thread only.
  private final ArrayDeque<BatchState> waiting = new ArrayDeque<>();
  private final ArrayDeque<Sent> resend = new ArrayDeque<>();
  private final List<Sent> failed = new ArrayList<>();
  /** Created at the first send; until the bootstrap servers resolve, creating it fails and is retried. */
  private @Nullable Producer<byte[], byte[]> producer;
  private @Nullable Thread senderThread;
  private @Nullable Sent sending;
  private @Nullable Exception sendFailure;
  private long sequence;
  private int generation;
  /** Counts producers closed for a re-send; records sent through an older one are re-sent. */
  private int producerEpoch;
  private int inFlight;
  private long inFlightBytes;
  private long pauseNanos = FIRST_PAUSE_NANOS;
  private long notNowSince = NONE;
  private long sendAgainAt = NONE;
  private long resendNanos;
  private long resendAt = NONE;
  private boolean recovering;
  /** Shutdown gave up on a spooled record: nothing more is sent (see {@link #halt}). */
  private boolean halted;
  private long lastProgressNanos = System.nanoTime();
  private long lastStallReportNanos = NONE;

  KafkaTransport(
      Supplier<Producer<byte[], byte[]>> producers,
      KafkaTrackerConfig config,
      ProducerSettings settings,
      int maxInFlight,
      TransportContext context) {
    this.producers = producers;
    this.topic = config.topic();
    this.destination = "topic " + config.topic() + " at " + config.bootstrapServers();
    this.context = context;
    this.maxInFlight = maxInFlight;
    this.maxInFlightBytes = settings.bufferMemory() / 2;
    this.giveUpNanos = Duration.ofMillis(settings.deliveryTimeoutMs()).toNanos();
    this.initialResendNanos = config.initialDelay().toNanos();
    this.maxResendNanos = config.maxDelay().toNanos();
    this.resendNanos = initialResendNanos;
    this.stallNanos = config.requestTimeout().toNanos();
  }

  @Override
  public boolean hasRoom() {
    return !halted
        && waiting.isEmpty()
        && resend.isEmpty()
        && !recovering
        && inFlight < maxInFlight
        && inFlightBytes < maxInFlightBytes;
  }

  @Override
  public void add(OutgoingBatch batch) {
    senderThread = Thread.currentThread();
    waiting.addLast(new BatchState(batch, sequence++, System.nanoTime()));
  }

  @Override
  public long advance(long nowNanos, boolean closing, long deadlineNanos) {
    senderThread = Thread.currentThread();
    wakeRequested.set(false);
    int before = inFlight;
    resolveCompletions(closing);
    if (inFlight != before || before == 0) {
      lastProgressNanos = nowNanos;
    }
    long timer = sendDue(nowNanos);
    if (inFlight == 0) {
      return timer;
    }
    return earliest(timer, checkStalled(nowNanos));
  }

  /**
   * Reports a failure for health when records are in flight and none has been resolved for {@code
   * request.timeout.ms}: the producer retries an unreachable cluster silently until {@code
   * delivery.timeout.ms}.
   */
  private long checkStalled(long now) {
    long since = Math.max(lastProgressNanos, lastStallReportNanos);
    if (now - since >= stallNanos) {
      lastStallReportNanos = now;
      context.requestFailed(
          "no acknowledgement from " + destination + " for " + Duration.ofNanos(now - lastProgressNanos).toMillis() + " ms");
      return now + stallNanos;
    }
    return since + stallNanos;
  }

  private static long earliest(long a, long b) {
    if (a == NO_TIMER) {
      return b;
    }
    if (b == NO_TIMER) {
      return a;
    }
    return a - b <= 0 ? a : b;
  }

  /** Re-sends what failed once nothing is in flight, then hands over what waits. */
  private long sendDue(long nowNanos) {
    if (recovering) {
      if (inFlight > 0) {
        return NO_TIMER;
      }
      if (resendAt == NONE) {
        failed.sort(EMIT_ORDER);
        resend.addAll(failed);
        failed.clear();
        resendAt = nowNanos + resendNanos;
        resendNanos = Math.min(maxResendNanos, resendNanos * 2);
      }
      if (nowNanos - resendAt < 0) {
        return resendAt;
      }
      recovering = false;
      resendAt = NONE;
    }
    return sendWaiting(nowNanos);
  }

  @Override
  public boolean idle() {
    return inFlight == 0 && waiting.isEmpty() && resend.isEmpty() && failed.isEmpty() && !recovering;
  }

  @Override
  public void forget() {
    generation++;
    waiting.clear();
    resend.clear();
    failed.clear();
    completions.clear();
    inFlight = 0;
    inFlightBytes = 0;
    recovering = false;
    resendAt = NONE;
    sendAgainAt = NONE;
  }

  @Override
  public void close() {
    Producer<byte[], byte[]> open = producer;
    if (open == null) {
      return;
    }
    try {
      // Everything is accounted for by now; what the producer still holds is given up at once.
      open.close(Duration.ZERO);
    } catch (Throwable e) {
      context.log().log(Level.WARN, "kafka-close", 0, "durable-tracker: closing the Kafka producer failed: " + e);
    }
  }

  /** Hands records to the producer in order: re-sends first, then the batches waiting. */
  private long sendWaiting(long now) {
    if (halted) {
      return NO_TIMER;
    }
    if (sendAgainAt != NONE && now - sendAgainAt < 0) {
      return sendAgainAt;
    }
    sendAgainAt = NONE;
    while (true) {
      Sent next = resend.peekFirst();
      if (next == null) {
        BatchState head = waiting.peekFirst();
        if (head == null) {
          return NO_TIMER;
        }
        if (head.next >= head.batch.size()) {
          waiting.pollFirst();
          continue;
        }
        next = new Sent(head, head.next);
      }
      switch (send(next)) {
        case SENT -> {
          pauseNanos = FIRST_PAUSE_NANOS;
          advanceCursor(next);
        }
        case DROPPED -> advanceCursor(next);
        case NOT_NOW -> {
          if (!context.retryForever() && now - next.state.addedNanos >= giveUpNanos) {
            drop(next, DropReason.RETRIES_EXHAUSTED, "the Kafka producer could not take it for " + destination
                + " within delivery.timeout.ms (" + Duration.ofNanos(giveUpNanos).toMillis() + " ms): no metadata");
            advanceCursor(next);
            continue;
          }
          sendAgainAt = now + pauseNanos;
          pauseNanos = Math.min(MAX_PAUSE_NANOS, pauseNanos * 2);
          return sendAgainAt;
        }
      }
    }
  }

  /** Moves past a record that was sent or dropped. */
  private void advanceCursor(Sent sent) {
    if (resend.peekFirst() == sent) {
      resend.pollFirst();
      sent.state.awaitingResend--;
    } else {
      sent.state.next++;
    }
    report(sent.state);
  }

  private enum Attempt {
    SENT,
    DROPPED,
    NOT_NOW
  }

  /** Offers one record to the producer; failures the producer reports inside {@code send} come back here. */
  private Attempt send(Sent sent) {
    OutgoingBatch batch = sent.state.batch;
    int i = sent.index;
    byte[] key = batch.workflowId(i).getBytes(StandardCharsets.UTF_8);
    byte[] value = batch.json(i);
    List<Header> headers =
        List.of(
            new RecordHeader("eventId", batch.eventId(i).getBytes(StandardCharsets.UTF_8)),
            new RecordHeader("type", batch.type(i).getBytes(StandardCharsets.UTF_8)),
            new RecordHeader("content-type", JSON));
    ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null, null, key, value, headers);
    sent.generation = generation;
    sent.producerEpoch = producerEpoch;
    sent.bytes = key.length + value.length + RECORD_OVERHEAD;
    sent.error = null;
    Producer<byte[], byte[]> open = producer;
    if (open == null) {
      try {
        open = producers.get();
        producer = open;
      } catch (RuntimeException e) {
        if (!ProducerSettings.isUnresolvable(e)) {
          throw e;
        }
        return notNow(sent, "the bootstrap servers of " + destination + " do not resolve");
      }
    }
    sending = sent;
    sendFailure = null;
    try {
      open.send(record, sent);
    } catch (InterruptException e) {
      // Kafka keeps the interrupt flag set; the engine's loop clears and logs it. Not taken: later.
      sendFailure = new TimeoutException("interrupted");
    } catch (RuntimeException e) {
      sendFailure = e;
    } finally {
      sending = null;
    }
    Exception failure = sendFailure;
    sendFailure = null;
    if (failure == null) {
      notNowSince = NONE;
      inFlight++;
      inFlightBytes += sent.bytes;
      if (sent.state.firstSentNanos == NONE) {
        sent.state.firstSentNanos = System.nanoTime();
      }
      sent.state.unresolved++;
      return Attempt.SENT;
    }
    if (failure instanceof TimeoutException) {
      // No metadata yet (max.block.ms=0) or no room in the producer's buffer: not taken, try later.
      return notNow(sent, "no metadata for " + destination + " (cluster unreachable or topic missing)");
    }
    if (failure instanceof RecordTooLargeException) {
      drop(sent, DropReason.TOO_LARGE, "record is larger than the producer's max.request.size or buffer.memory");
    } else {
      drop(sent, DropReason.REJECTED, "the Kafka producer refused the record: " + describe(failure));
    }
    return Attempt.DROPPED;
  }

  /**
   * The record cannot be handed over yet. At every start the first send finds no metadata, so only
   * a wait that lasts counts as a failure (health, log).
   */
  private Attempt notNow(Sent sent, String reason) {
    long now = System.nanoTime();
    if (notNowSince == NONE) {
      notNowSince = now;
    } else if (now - notNowSince >= NO_METADATA_FAILURE_NANOS) {
      context.requestFailed(reason);
      context.log().log(
          Level.WARN,
          "kafka-not-ready",
          0,
          "durable-tracker: " + reason + " for " + Duration.ofNanos(now - notNowSince).toMillis() + " ms; events wait");
    }
    return Attempt.NOT_NOW;
  }

  /**
   * Resolves what the producer reported since the last turn. With a spool, a retryable failure
   * closes the producer at once: every record it still holds fails now and can no longer be written
   * after the failed one (which would break the workflow's order), and all of them are sent again,
   * in emit order, through a new producer.
   */
  private void resolveCompletions(boolean closing) {
    if (resolveReported(closing)) {
      Producer<byte[], byte[]> old = producer;
      if (old != null) {
        producer = null;
        producerEpoch++;
        try {
          old.close(Duration.ZERO);
        } catch (RuntimeException e) {
          context.log().log(Level.WARN, "kafka-close", 0, "durable-tracker: closing the Kafka producer failed: " + e);
        }
        context.log().log(
            Level.INFO,
            "kafka-resend",
            0,
            "durable-tracker: the Kafka producer gave up on records; sending them again through a new producer");
        // What the closed producer still held has failed by now.
        resolveReported(closing);
      }
    }
  }

  /** Resolves the results queued so far; true when the producer should be replaced for a re-send. */
  private boolean resolveReported(boolean closing) {
    boolean replace = false;
    Run run = new Run();
    Sent sent;
    while ((sent = completions.poll()) != null) {
      if (sent.generation != generation) {
        continue;
      }
      inFlight--;
      inFlightBytes -= sent.bytes;
      BatchState state = sent.state;
      state.unresolved--;
      Exception error = sent.error;
      if (error == null) {
        resendNanos = initialResendNanos;
        run.add(state, null, "");
      } else {
        state.failedAny = true;
        if (error instanceof RecordTooLargeException) {
          run.add(state, DropReason.TOO_LARGE, "the broker refused the record as too large (message.max.bytes): " + describe(error));
        } else if (!(error instanceof RetriableException) && sent.producerEpoch == producerEpoch) {
          run.add(state, DropReason.REJECTED, "the broker refused the record: " + describe(error));
        } else if (!context.retryForever()) {
          run.add(state, DropReason.RETRIES_EXHAUSTED, "the Kafka producer gave up on " + destination + ": " + describe(error));
        } else {
          run.flush();
          replace |= sent.producerEpoch == producerEpoch;
          if (context.expired(state.batch)) {
            context.dropped(
                state.batch,
                DropReason.EXPIRED,
                1,
                "the event waited in the spool longer than maxAge; the Kafka producer failed with " + describe(error));
          } else if (closing || halted) {
            halt("shutdown reached while the Kafka producer retried: " + describe(error));
            context.shutdownReached(state.batch, 1, "shutdown reached while the Kafka producer retried: " + describe(error));
          } else {
            failed.add(sent);
            state.awaitingResend++;
            recovering = true;
          }
        }
        // After the run: a success resolved before this failure must not hide it from health.
        context.requestFailed(describe(error));
      }
      report(state);
    }
    run.flush();
    return replace;
  }

  /** Consecutive results of one batch with one outcome, resolved with one call. */
  private final class Run {
    private @Nullable BatchState state;
    private @Nullable DropReason reason;
    private String detail = "";
    private int count;
    private boolean anyDelivered;

    void add(BatchState next, @Nullable DropReason nextReason, String nextDetail) {
      if (next != state || nextReason != reason) {
        flush();
        state = next;
        reason = nextReason;
        detail = nextDetail;
      }
      count++;
      anyDelivered |= nextReason == null;
    }

    void flush() {
      BatchState current = state;
      if (current != null && count > 0) {
        if (reason == null) {
          context.delivered(current.batch, count);
        } else {
          context.dropped(current.batch, reason, count, detail);
        }
      }
      if (anyDelivered) {
        context.requestSucceeded();
        anyDelivered = false;
      }
      state = null;
      reason = null;
      count = 0;
    }
  }

  /**
   * Shutdown gave up on a spooled record, which stays in the spool for the next start: nothing after
   * it may be sent before it, so every record not handed over yet stays in the spool too, and the
   * transport sends nothing more (the producer is closed, so what it holds is not written either).
   */
  private void halt(String detail) {
    if (halted) {
      return;
    }
    halted = true;
    for (Sent sent : failed) {
      sent.state.awaitingResend--;
      context.shutdownReached(sent.state.batch, 1, detail);
      report(sent.state);
    }
    failed.clear();
    for (Sent sent : resend) {
      sent.state.awaitingResend--;
      context.shutdownReached(sent.state.batch, 1, detail);
      report(sent.state);
    }
    resend.clear();
    for (BatchState state : waiting) {
      int left = state.batch.size() - state.next;
      if (left > 0) {
        state.next = state.batch.size();
        context.shutdownReached(state.batch, left, detail);
        report(state);
      }
    }
    waiting.clear();
    recovering = false;
  }

  /** Tells listeners about a batch once every one of its records is resolved. */
  private void report(BatchState state) {
    if (state.reported || state.unresolved > 0 || state.awaitingResend > 0 || state.next < state.batch.size()) {
      return;
    }
    state.reported = true;
    long took = state.firstSentNanos == NONE ? 0 : System.nanoTime() - state.firstSentNanos;
    if (context.hasListeners()) {
      context.report(
          new SendReport(
              0,
              state.failedAny ? SendOutcome.REJECTED : SendOutcome.SUCCESS,
              Duration.ofNanos(took),
              state.batch.size(),
              state.batch.idempotencyKey()));
    }
  }

  private void drop(Sent sent, DropReason reason, String detail) {
    sent.state.failedAny = true;
    context.dropped(sent.state.batch, reason, 1, detail);
  }

  /** The exception's class and message, without a stack; Kafka's messages carry no payload. */
  static String describe(Throwable error) {
    String message = error.getMessage();
    return error.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  /** A batch being sent: which records are handed over and how many are unresolved. */
  private static final class BatchState {
    final OutgoingBatch batch;
    final long sequence;
    final long addedNanos;
    long firstSentNanos = NONE;
    int next;
    int unresolved;
    int awaitingResend;
    boolean failedAny;
    boolean reported;

    BatchState(OutgoingBatch batch, long sequence, long addedNanos) {
      this.batch = batch;
      this.sequence = sequence;
      this.addedNanos = addedNanos;
    }
  }

  /** One record handed to the producer, and its callback. */
  private final class Sent implements Callback {
    final BatchState state;
    final int index;
    int generation;
    int producerEpoch;
    int bytes;
    /** Written by the producer's thread before the queue hands it over. */
    @Nullable Exception error;

    Sent(BatchState state, int index) {
      this.state = state;
      this.index = index;
    }

    @Override
    public void onCompletion(@Nullable RecordMetadata metadata, @Nullable Exception exception) {
      if (exception != null && sending == this && Thread.currentThread() == senderThread) {
        // Failed inside send() on the sender thread: the record was not taken.
        sendFailure = exception;
        return;
      }
      error = exception;
      completions.add(this);
      if (wakeRequested.compareAndSet(false, true)) {
        context.wake();
      }
    }
  }
}
