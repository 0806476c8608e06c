package dev.durableeffect.tracker.sample;

import dev.durableeffect.tracker.EventTracker;
import dev.durableeffect.tracker.http.HttpBatchTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/** When the app is ready: prints the page's URL and, unless {@code demo.autorun=false}, runs each workflow once. */
@Component
public class DemoStartup implements ApplicationListener<ApplicationReadyEvent> {

  private static final Logger LOGGER = LoggerFactory.getLogger(DemoStartup.class);

  private final DemoWorkflows workflows;
  private final DemoProperties properties;
  private final EventTracker tracker;

  public DemoStartup(DemoWorkflows workflows, DemoProperties properties, EventTracker tracker) {
    this.workflows = workflows;
    this.properties = properties;
    this.tracker = tracker;
  }

  @Override
  public void onApplicationEvent(ApplicationReadyEvent event) {
    Environment environment = event.getApplicationContext().getEnvironment();
    String port = environment.getProperty("local.server.port", "8080");
    LOGGER.info("durable-tracker demo is running: open http://localhost:{}/", port);
    LOGGER.info("events go to {}", destination(tracker));
    if (properties.autorun()) {
      workflows.names().forEach(workflows::start);
    }
  }

  /** Where events go, safe to log: the tracker's own redaction drops credentials and the query. */
  static String destination(EventTracker tracker) {
    if (tracker instanceof HttpBatchTracker http) {
      return http.config().redactedEndpoint();
    }
    return "nowhere: the " + tracker.getClass().getSimpleName() + " keeps them in this process";
  }
}
