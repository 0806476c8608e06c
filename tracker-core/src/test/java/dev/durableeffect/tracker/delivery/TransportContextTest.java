package dev.durableeffect.tracker.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.durableeffect.tracker.DropReason;
import dev.durableeffect.tracker.RateLimitedLog;
import dev.durableeffect.tracker.http.SendOutcome;
import dev.durableeffect.tracker.http.SendReport;
import dev.durableeffect.tracker.spool.SpoolRecord;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * What a transport reports through its {@link TransportContext}: outcomes into the counters and
 * the health status, drops into the log, sends to the listeners (metrics).
 */
class TransportContextTest {

  private final Logger logger = (Logger) LoggerFactory.getLogger("dev.durableeffect.tracker.test.TransportContextTest");
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final DeliveryCounters counters = new DeliveryCounters(Clock.systemUTC());
  private final TransportContext context =
      new TransportContext(counters, new RateLimitedLog(logger, Duration.ZERO), () -> {}, null);

  TransportContextTest() {
    logs.start();
    logger.addAppender(logs);
    logger.setLevel(Level.INFO);
  }

  @AfterEach
  void detach() {
    logger.detachAppender(logs);
  }

  private OutgoingBatch batch(int size) {
    List<SpoolRecord> records = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      records.add(SpoolRecord.of("wf", "e" + i, "workflow.started", "{}".getBytes(StandardCharsets.UTF_8)));
    }
    return new OutgoingBatch(records, counters.taken(0, size), null);
  }

  private List<String> messages() {
    return logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  @Test
  void aDropIsCountedAndLoggedWithItsReasonAndDetail() {
    OutgoingBatch batch = batch(3);

    context.dropped(batch, DropReason.REJECTED, 3, "the endpoint answered 400");

    assertThat(counters.snapshot(3).dropped(DropReason.REJECTED)).isEqualTo(3);
    assertThat(messages()).containsExactly("durable-tracker: dropped 3 events (REJECTED): the endpoint answered 400");
  }

  @Test
  void aSuccessAfterFailuresResetsTheHealthStatus() {
    context.requestFailed("HTTP 503");
    context.requestFailed("HTTP 503");
    assertThat(counters.status().consecutiveFailures()).isEqualTo(2);

    context.requestSucceeded();

    assertThat(counters.status().consecutiveFailures()).isZero();
    assertThat(counters.status().lastSuccess()).isNotNull();
    assertThat(counters.status().lastFailureReason()).isEqualTo("HTTP 503");
  }

  @Test
  void sendsReachEveryListenerAndAFailingListenerIsLoggedNotThrown() {
    assertThat(context.hasListeners()).isFalse();
    List<SendReport> seen = new ArrayList<>();
    context.addListener(report -> {
      throw new IllegalStateException("listener bug");
    });
    context.addListener(seen::add);
    assertThat(context.hasListeners()).isTrue();
    SendReport report = new SendReport(200, SendOutcome.SUCCESS, Duration.ofMillis(5), 3, "key");

    context.report(report);

    assertThat(seen).containsExactly(report);
    assertThat(messages()).containsExactly("durable-tracker: send listener failed: java.lang.IllegalStateException: listener bug");
  }
}
