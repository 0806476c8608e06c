package dev.durableeffect.tracker.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
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
 * workflow button makes its row and events appear. Skipped, with a message, only when no Chromium
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

  @Test
  void clickingAWorkflowButtonShowsItsRowAndEventsLive() throws Exception {
    driver.get("http://localhost:" + port + "/");
    WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(20));
    WebElement button = wait.until(d -> d.findElement(By.cssSelector("button[data-workflow='report-timeout']")));
    wait.until(d -> d.findElements(By.cssSelector(".run[data-status='completed']")).size() >= 2);
    int before = driver.findElements(By.cssSelector(".run[data-workflow-id^='report-timeout']")).size();

    button.click();

    wait.until(d -> d.findElements(By.cssSelector(".run[data-workflow-id^='report-timeout']")).size() == before + 1);
    WebElement row = driver.findElements(By.cssSelector(".run[data-workflow-id^='report-timeout']")).get(0);
    wait.until(d -> "failed".equals(row.getDomAttribute("data-status")));
    List<String> types =
        row.findElements(By.cssSelector("tr.event")).stream().map(e -> e.getDomAttribute("data-type")).toList();
    assertThat(types).containsSubsequence("workflow.started", "timeout.set", "timeout.exceeded", "workflow.failed");
    assertThat(row.findElement(By.cssSelector(".name")).getText()).isEqualTo("report-timeout");
    assertThat(row.findElement(By.cssSelector(".status")).getText()).isEqualToIgnoringCase("failed");
    assertThat(row.findElements(By.cssSelector(".timeline .bar-fail"))).isNotEmpty();
    assertThat(driver.findElement(By.id("feed")).getText()).isEqualTo("live");

    wait.until(d -> d.findElements(By.cssSelector(".run[data-status='running'], .run[data-status='sleeping'], .run[data-status='queued'], .run[data-status='retrying']")).isEmpty());
    row.findElement(By.cssSelector("details.events summary")).click();
    assertThat(row.findElement(By.cssSelector("tr.event[data-type='timeout.exceeded']")).isDisplayed()).isTrue();
    driver.manage().window().setSize(new Dimension(1400, 1000));
    Path shot = driver.getScreenshotAs(OutputType.FILE).toPath();
    Files.copy(shot, Path.of("target", "timeline-page.png"), StandardCopyOption.REPLACE_EXISTING);
  }
}
