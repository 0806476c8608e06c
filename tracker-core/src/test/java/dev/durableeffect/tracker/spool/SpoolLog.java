package dev.durableeffect.tracker.spool;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** The log lines of {@link SpoolStore} while a test runs; {@link #detach} it after the test. */
final class SpoolLog {

  private final Logger logger = (Logger) LoggerFactory.getLogger(SpoolStore.class);
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  SpoolLog() {
    appender.start();
    logger.addAppender(appender);
  }

  void detach() {
    logger.detachAppender(appender);
  }

  /** Forgets the lines so far. */
  void clear() {
    appender.list.clear();
  }

  /** The lines since the last {@link #clear}, each as "LEVEL message". */
  List<String> lines() {
    return appender.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
  }
}
