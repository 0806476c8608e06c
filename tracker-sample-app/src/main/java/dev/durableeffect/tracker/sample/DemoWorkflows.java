package dev.durableeffect.tracker.sample;

import dev.durableeffect.tracker.EventTracker;
import dev.durableeffect.tracker.StepRetry;
import dev.durableeffect.tracker.WorkflowRecorder;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Five demo workflows written with {@link WorkflowRecorder}. Together they emit all 16 event types.
 * Each run happens in the background; {@link #start} returns its ids at once.
 */
@Component
public class DemoWorkflows implements DisposableBean {

  /** The ids of a started run. */
  public record Launch(String workflow, String workflowId, String executionId) {}

  /** The ids of one run, from which its recorder is started or queued. */
  private record Run(EventTracker tracker, String workflowId, String name, String executionId) {
    WorkflowRecorder.Builder recorder(Object input) {
      return WorkflowRecorder.builder(tracker)
          .workflowId(workflowId)
          .workflowName(name)
          .executionId(executionId)
          .input(input);
    }

    WorkflowRecorder start(Object input) {
      return recorder(input).start();
    }

    WorkflowRecorder queue(Object input) {
      return recorder(input).queue();
    }
  }

  private interface Workflow {
    void run(Run runs) throws Exception;
  }

  private static final Logger LOGGER = LoggerFactory.getLogger(DemoWorkflows.class);

  private final EventTracker tracker;
  private final DemoProperties properties;
  private final Map<String, Workflow> workflows = new LinkedHashMap<>();
  private final AtomicInteger threads = new AtomicInteger();
  private final ExecutorService executor =
      Executors.newFixedThreadPool(
          8,
          task -> {
            Thread thread = new Thread(task, "demo-workflow-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
          });

  public DemoWorkflows(EventTracker tracker, DemoProperties properties) {
    this.tracker = tracker;
    this.properties = properties;
    workflows.put("order-fulfillment", this::orderFulfillment);
    workflows.put("payment-failure", this::paymentFailure);
    workflows.put("report-timeout", this::reportTimeout);
    workflows.put("queued-import", this::queuedImport);
    workflows.put("cancelled-shipment", this::cancelledShipment);
  }

  /** The names of the demo workflows, in display order. */
  public List<String> names() {
    return List.copyOf(workflows.keySet());
  }

  /** Starts a run of the named workflow in the background; empty when there is no such workflow. */
  public Optional<Launch> start(String name) {
    Workflow workflow = workflows.get(name);
    if (workflow == null) {
      return Optional.empty();
    }
    String workflowId = name + "-" + UUID.randomUUID().toString().substring(0, 8);
    String executionId = "exec-" + UUID.randomUUID().toString().substring(0, 8);
    Run runs = new Run(tracker, workflowId, name, executionId);
    executor.execute(
        () -> {
          try {
            workflow.run(runs);
          } catch (Exception e) {
            LOGGER.debug("demo workflow {} ended with {}", workflowId, e.toString());
          }
        });
    return Optional.of(new Launch(name, workflowId, executionId));
  }

  private void orderFulfillment(Run runs) throws Exception {
    WorkflowRecorder run = runs.start(Map.of("orderId", "o-" + ThreadLocalRandom.current().nextInt(1000, 9999), "items", 3, "total", 129.90));
    run.cachedStep("load-customer", "customer-42");
    run.step("validate-order", () -> work(120));
    run.step("reserve-inventory", () -> work(250));
    AtomicInteger tries = new AtomicInteger();
    run.step(
        "charge-payment",
        StepRetry.of(3, scaled(400)).exponential(),
        () -> {
          work(180);
          if (tries.incrementAndGet() == 1) {
            throw new IllegalStateException("payment gateway timed out (503)");
          }
          return "auth-" + tries.get();
        });
    run.sleep(scaled(1200));
    run.step("ship", () -> work(200));
    run.complete();
  }

  private void paymentFailure(Run runs) throws Exception {
    WorkflowRecorder run = runs.start(Map.of("orderId", "o-1313", "card", "**** 0002"));
    run.step("validate-order", () -> work(100));
    try {
      run.step(
          "charge-payment",
          StepRetry.of(3, scaled(300)),
          () -> {
            work(150);
            throw new IllegalStateException("card declined: insufficient funds");
          });
    } catch (IllegalStateException declined) {
      run.fail(declined);
    }
  }

  private void reportTimeout(Run runs) throws Exception {
    WorkflowRecorder run = runs.start(Map.of("report", "monthly-revenue", "month", "2025-11"));
    run.step("gather-data", () -> work(300));
    try {
      run.withTimeout("render-report", scaled(600), () -> work(5_000));
    } catch (TimeoutException timedOut) {
      run.fail(timedOut);
    }
  }

  private void queuedImport(Run runs) throws Exception {
    WorkflowRecorder run = runs.queue(List.of("customers.csv", "orders.csv"));
    Thread.sleep(scaled(900).toMillis());
    run.begin();
    run.step("download", () -> work(200));
    run.step("parse", () -> work(300));
    run.step("import-rows", () -> work(400));
    run.complete();
  }

  private void cancelledShipment(Run runs) throws Exception {
    WorkflowRecorder run = runs.start(Map.of("shipmentId", "s-77", "carrier", "parcel-co"));
    run.step("pick-items", () -> work(250));
    run.sleep(scaled(800));
    run.cancel("customer cancelled the order");
  }

  private String work(long millis) throws InterruptedException {
    Thread.sleep(scaled(millis).toMillis());
    return "ok";
  }

  private Duration scaled(long millis) {
    return Duration.ofMillis(Math.round(millis * properties.pace()));
  }

  @Override
  public void destroy() {
    executor.shutdownNow();
  }
}
