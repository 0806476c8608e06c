package dev.durableeffect.tracker.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.durableeffect.tracker.DropReason;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The live page in a real headless Chromium (Debian's chromium and chromedriver): clicking a
 * workflow button makes its row and events appear; the operating panel follows the tracker while
 * the collector is broken on purpose and after it heals; failed requests are shown; only the newest
 * runs are kept. Skipped, with a message, only when no Chromium
 * is installed outside CI; in CI a missing browser fails the test.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class TimelinePageBrowserTest {

  static final CollectorRelay RELAY = CollectorRelay.start();
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  static ChromeDriver driver;

  @LocalServerPort int port;

  @TestConfiguration(proxyBeanMethods = false)
  static class RelayToThisApp {
    @Bean
    ApplicationListener<WebServerInitializedEvent> relayTarget() {
      return RELAY.target();
    }
  }

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("durable.tracker.endpoint", RELAY::endpoint);
    registry.add("demo.autorun", () -> "true");
    registry.add("demo.pace", () -> "0.3");
    registry.add("durable.tracker.flush-interval", () -> "200ms");
  }

  @BeforeAll
  static void browser() {
    boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    if (!installed && System.getenv("CI") != null) {
      fail("CI must have Debian's chromium and chromium-driver installed (.ci/run installs them)");
    }
    assumeTrue(installed, "Chromium not installed: apt-get install chromium chromium-driver to run the browser test");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--window-size=1400,1000");
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
    driver = new ChromeDriver(service, options);
  }

  @AfterAll
  static void close() {
    if (driver != null) {
      driver.quit();
    }
  }

  @AfterEach
  void healTheCollector() throws Exception {
    HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(base() + "/api/collector/fault")).DELETE().build(),
        HttpResponse.BodyHandlers.discarding());
  }

  String base() {
    return "http://localhost:" + port;
  }

  private static WebDriverWait waiting() {
    return new WebDriverWait(driver, Duration.ofSeconds(30));
  }

  private static long number(String id) {
    String text = driver.findElement(By.id(id)).getText().strip();
    return text.isEmpty() || text.equals("–") ? -1 : Long.parseLong(text);
  }

  @Test
  void clickingAWorkflowButtonShowsItsRowAndEventsLiveAndFinishedRunsAreNotRebuilt() throws Exception {
    driver.get(base() + "/");
    WebDriverWait wait = waiting();
    WebElement button = wait.until(d -> d.findElement(By.cssSelector("button[data-workflow='report-timeout']")));
    wait.until(d -> d.findElements(By.cssSelector(".run[data-status='completed']")).size() >= 2);
    WebElement finished = driver.findElements(By.cssSelector(".run[data-status='completed']")).get(0);
    driver.executeScript(
        "window.__mutations = 0; new MutationObserver(m => window.__mutations += m.length)"
            + ".observe(arguments[0], {subtree: true, childList: true, attributes: true, characterData: true});",
        finished);
    int before = driver.findElements(By.cssSelector(".run[data-workflow-id^='report-timeout']")).size();

    button.click();

    wait.until(d -> d.findElements(By.cssSelector(".run[data-workflow-id^='report-timeout']")).size() == before + 1);
    WebElement row = driver.findElements(By.cssSelector(".run[data-workflow-id^='report-timeout']")).get(0);
    WebElement firstBar = wait.until(d -> row.findElement(By.cssSelector(".timeline .bar")));
    wait.until(d -> "failed".equals(row.getDomAttribute("data-status")));
    List<String> types =
        row.findElements(By.cssSelector("tr.event")).stream().map(e -> e.getDomAttribute("data-type")).toList();
    assertThat(types).containsSubsequence("workflow.started", "timeout.set", "timeout.exceeded", "workflow.failed");
    assertThat(row.findElement(By.cssSelector(".name")).getText()).isEqualTo("report-timeout");
    assertThat(row.findElement(By.cssSelector(".status")).getText()).isEqualToIgnoringCase("failed");
    assertThat(row.findElements(By.cssSelector(".timeline .bar-fail"))).isNotEmpty();
    assertThat(driver.findElement(By.id("feed")).getText()).isEqualTo("live");
    // Patched in place while it ran: the bar drawn first is the same node now (a stale node throws).
    assertThat(firstBar.getDomAttribute("class")).startsWith("bar ");
    assertThat(((Number) driver.executeScript("return window.__mutations;")).longValue())
        .as("DOM changes in a run that had finished before")
        .isZero();

    row.findElement(By.cssSelector("details.events summary")).click();
    assertThat(row.findElement(By.cssSelector("tr.event[data-type='timeout.exceeded']")).isDisplayed()).isTrue();
  }

  @Test
  void theOperatingPanelShowsRetriesAndTheQueueWhileTheCollectorFailsAndRecoveryAfterwards() throws Exception {
    driver.get(base() + "/");
    WebDriverWait wait = waiting();
    wait.until(d -> number("ops-emitted") > 0 && number("ops-pending") == 0);
    assertThat(driver.findElement(By.id("ops-capacity")).getText()).isEqualTo("500");
    assertThat(driver.findElements(By.cssSelector("#ops-reasons li"))).hasSize(DropReason.values().length);
    long delivered = number("ops-delivered");

    new Select(driver.findElement(By.id("fault-mode"))).selectByValue("fail");
    WebElement seconds = driver.findElement(By.id("fault-seconds"));
    seconds.clear();
    seconds.sendKeys("120");
    driver.findElement(By.id("fault-start")).click();
    wait.until(d -> "fail".equals(d.findElement(By.id("collector-state")).getDomAttribute("data-state")));
    assertThat(driver.findElement(By.id("collector-state")).getText()).matches("(?i)answering 503 · \\d+ s left");
    driver.findElement(By.cssSelector("button[data-workflow='order-fulfillment']")).click();
    driver.findElement(By.cssSelector("button[data-workflow='queued-import']")).click();

    wait.until(d -> number("ops-req-retry") > 0 && number("ops-queue") > 0 && number("ops-failures") >= 2);
    assertThat(driver.findElement(By.id("ops-last-failure")).getText()).isEqualTo("HTTP 503");
    assertThat(number("ops-delivered")).isEqualTo(delivered);
    assertThat(number("ops-pending")).isGreaterThanOrEqualTo(number("ops-queue"));
    assertThat(driver.findElement(By.id("ops-queue-fill")).getDomAttribute("style")).doesNotContain("width: 0%");
    Files.copy(
        driver.getScreenshotAs(OutputType.FILE).toPath(),
        Path.of("target", "operating-panel.png"),
        StandardCopyOption.REPLACE_EXISTING);

    driver.findElement(By.id("fault-stop")).click();

    wait.until(d -> "none".equals(d.findElement(By.id("collector-state")).getDomAttribute("data-state")));
    wait.until(d -> number("ops-pending") == 0 && number("ops-failures") == 0);
    assertThat(number("ops-delivered")).isEqualTo(number("ops-emitted"));
    assertThat(number("ops-dropped")).isZero();
    assertThat(driver.findElements(By.cssSelector("#ops-reasons li.some"))).isEmpty();
    assertThat(driver.findElement(By.id("errors")).getText()).isEmpty();
  }

  @Test
  void aRequestThatFailsIsShownToTheUser() {
    driver.get(base() + "/");
    WebDriverWait wait = waiting();
    WebElement seconds = wait.until(d -> d.findElement(By.id("fault-seconds")));
    seconds.clear();
    seconds.sendKeys("0");

    driver.findElement(By.id("fault-start")).click();

    WebElement error = wait.until(d -> d.findElement(By.cssSelector("#errors p[data-error-key='fault']")));
    assertThat(error.getText()).contains("Could not break the collector").contains("seconds must be between 1 and 300");
    assertThat(driver.findElement(By.id("collector-state")).getDomAttribute("data-state")).isEqualTo("none");
    error.findElement(By.tagName("button")).click();
    wait.until(d -> d.findElements(By.cssSelector("#errors p")).isEmpty());
  }

  @Test
  void thePageKeepsOnlyTheNewestRuns() {
    driver.get(base() + "/?maxRuns=3");
    WebDriverWait wait = waiting();
    wait.until(d -> d.findElements(By.cssSelector(".run")).size() == 3);
    WebElement button = driver.findElement(By.cssSelector("button[data-workflow='cancelled-shipment']"));

    button.click();

    wait.until(d -> d.findElements(By.cssSelector(".run")).get(0).getDomAttribute("data-workflow-id").startsWith("cancelled-shipment")
        && d.findElements(By.cssSelector(".run")).size() == 3);
    assertThat(driver.findElement(By.id("stat-runs")).getText()).isEqualTo("3");
  }

  /** A fresh picture of the page for the README, taken when the demo's first runs have finished. */
  @Test
  void aScreenshotOfThePage() throws Exception {
    driver.get(base() + "/");
    WebDriverWait wait = waiting();
    wait.until(d -> d.findElements(By.cssSelector(".run[data-status='completed']")).size() >= 2
        && d.findElements(By.cssSelector(".run[data-status='running'], .run[data-status='sleeping'], .run[data-status='queued'], .run[data-status='retrying']")).isEmpty()
        && number("ops-pending") == 0);
    driver.manage().window().setSize(new Dimension(1400, 1100));
    Files.copy(
        driver.getScreenshotAs(OutputType.FILE).toPath(),
        Path.of("target", "timeline-page.png"),
        StandardCopyOption.REPLACE_EXISTING);
  }
}
