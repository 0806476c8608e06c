package dev.durableeffect.tracker.sample;

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

  public DemoStartup(DemoWorkflows workflows, DemoProperties properties) {
    this.workflows = workflows;
    this.properties = properties;
  }

  @Override
  public void onApplicationEvent(ApplicationReadyEvent event) {
    Environment environment = event.getApplicationContext().getEnvironment();
    String port = environment.getProperty("local.server.port", "8080");
    LOGGER.info("durable-tracker demo is running: open http://localhost:{}/", port);
    LOGGER.info("events go to {}", environment.getProperty("durable.tracker.endpoint"));
    if (properties.autorun()) {
      workflows.names().forEach(workflows::start);
    }
  }
}
