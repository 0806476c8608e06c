package dev.durableeffect.tracker;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class RateLimitedLogTest {

  @Test
  void logsTheFirstOccurrenceAtOnceAndFoldsTheRestIntoTheNextLine() {
    Logger logger = (Logger) LoggerFactory.getLogger("rate-limited-log-test");
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    logger.setLevel(ch.qos.logback.classic.Level.INFO);
    AtomicLong now = new AtomicLong();
    RateLimitedLog log = new RateLimitedLog(logger, Duration.ofSeconds(30), now::get);

    log.log(RateLimitedLog.Level.WARN, "dropped-REJECTED", 100, "dropped 100 events");
    log.log(RateLimitedLog.Level.WARN, "dropped-REJECTED", 100, "dropped 100 events");
    log.log(RateLimitedLog.Level.WARN, "dropped-REJECTED", 50, "dropped 50 events");
    log.log(RateLimitedLog.Level.INFO, "retry", 10, "retrying");
    now.addAndGet(Duration.ofSeconds(31).toNanos());
    log.log(RateLimitedLog.Level.WARN, "dropped-REJECTED", 1, "dropped 1 event");

    assertThat(appender.list).extracting(ILoggingEvent::getFormattedMessage)
        .containsExactly(
            "dropped 100 events",
            "retrying",
            "dropped 1 event (and 2 more times, 150 events, since the last report)");
    assertThat(appender.list).extracting(e -> e.getLevel().toString()).containsExactly("WARN", "INFO", "WARN");
  }
}
