package dev.durableeffect.tracker.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * {@link HttpSender} against a loopback socket that reads a request and never answers; how it
 * classifies failures, and what it says about request headers it cannot send.
 */
class HttpSenderTest {

  private ServerSocket listener;
  private HttpClient client;
  private HttpSender sender;
  private final CountDownLatch requestRead = new CountDownLatch(1);
  private final CountDownLatch connectionClosedByClient = new CountDownLatch(1);

  @BeforeEach
  void startSilentEndpoint() throws IOException {
    listener = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptAndNeverAnswer, "silent-endpoint");
    acceptor.setDaemon(true);
    acceptor.start();
    HttpBatchTrackerConfig config =
        HttpBatchTrackerConfig.builder()
            .endpoint(URI.create("http://127.0.0.1:" + listener.getLocalPort() + "/ingest"))
            .env("test")
            .serviceKey("svc")
            .build();
    client = TrackerHttpClient.build(config, builder -> {});
    sender = new HttpSender(client, config, "test");
  }

  @AfterEach
  void stop() throws IOException {
    sender.close();
    TrackerHttpClient.close(client);
    listener.close();
  }

  /** Reads the request's headers, then waits for the client to close the connection. */
  private void acceptAndNeverAnswer() {
    try (Socket socket = listener.accept()) {
      InputStream in = socket.getInputStream();
      StringBuilder head = new StringBuilder();
      int b;
      while ((b = in.read()) != -1) {
        head.append((char) b);
        if (head.toString().endsWith("\r\n\r\n")) {
          requestRead.countDown();
        }
      }
      connectionClosedByClient.countDown();
    } catch (IOException e) {
      // a reset by the client closes the connection too
      connectionClosedByClient.countDown();
    }
  }

  @Test
  void cancellingARequestInFlightAbortsTheExchange() throws Exception {
    CompletableFuture<HttpSender.Response> answer =
        sender.send("{\"events\":[]}".getBytes(StandardCharsets.UTF_8), "key-1", Duration.ofMinutes(5));
    assertThat(requestRead.await(10, TimeUnit.SECONDS)).as("the endpoint read the request").isTrue();
    assertThat(answer).isNotDone();

    // What Lane.forget() does when the engine gives up a request (shutdown deadline, sender failure).
    answer.cancel(true);

    // The connection is closed long before the request's own five-minute timeout.
    assertThat(connectionClosedByClient.await(10, TimeUnit.SECONDS))
        .as("the client closed the connection of the cancelled request")
        .isTrue();
  }

  @Test
  void aRequestThatOutlivesItsTimeoutIsAbortedAndAnsweredAsATimeout() throws Exception {
    CompletableFuture<HttpSender.Response> answer =
        sender.send("{\"events\":[]}".getBytes(StandardCharsets.UTF_8), "key-1", Duration.ofMillis(500));

    await().atMost(Duration.ofSeconds(10)).until(answer::isDone);
    assertThat(answer.join()).isEqualTo(new HttpSender.Response(0, null, "timeout after 500 ms"));
    assertThat(connectionClosedByClient.await(10, TimeUnit.SECONDS)).isTrue();
  }

  private static final Duration SECOND = Duration.ofSeconds(1);
  private static final String TLS_HINT =
      " (check the trust store and client certificate: sslContext, or durable.tracker.ssl.bundle in Spring Boot)";

  @Test
  void requestThreadsAreDaemonsSoAnApplicationThatNeverClosesTheTrackerCanStillExit() throws Exception {
    sender.send("{\"events\":[]}".getBytes(StandardCharsets.UTF_8), "key-1", Duration.ofMinutes(5));
    assertThat(requestRead.await(10, TimeUnit.SECONDS)).as("the endpoint read the request").isTrue();

    List<Thread> requestThreads =
        Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().startsWith("durable-tracker-http-") && t.isAlive())
            .toList();
    assertThat(requestThreads).isNotEmpty().allSatisfy(t -> assertThat(t.isDaemon()).as(t.getName()).isTrue());
  }

  @Test
  void aConnectionRefusedUnderAWrapperIsReportedAsConnectionRefusedAndRetried() {
    assertThat(HttpSender.failure(new IOException("send failed", new ConnectException("Connection refused")), SECOND))
        .isEqualTo(new HttpSender.Response(0, null, "connection refused", false));
  }

  @Test
  void completionAndExecutionWrappersAreLookedThrough() {
    assertThat(HttpSender.failure(new CompletionException(new HttpTimeoutException("request timed out")), SECOND))
        .isEqualTo(new HttpSender.Response(0, null, "timeout after 1000 ms", false));
    assertThat(HttpSender.failure(new ExecutionException(new HttpTimeoutException("request timed out")), SECOND))
        .isEqualTo(new HttpSender.Response(0, null, "timeout after 1000 ms", false));
    assertThat(HttpSender.failure(new CompletionException(new IllegalArgumentException("bad URI")), SECOND))
        .isEqualTo(
            new HttpSender.Response(0, null, "request rejected by the HTTP client (IllegalArgumentException)", true));
    // A wrapper without a cause is itself the failure.
    assertThat(HttpSender.failure(new CompletionException("no cause", null), SECOND))
        .isEqualTo(new HttpSender.Response(0, null, "I/O error (CompletionException)", false));
  }

  @Test
  void aHandshakeFailedOnACertificateIsPermanentAndNamedByTheHandshakeMessage() {
    SSLHandshakeException handshake = new SSLHandshakeException("PKIX path building failed");
    handshake.initCause(new CertPathBuilderException("unable to find valid certification path"));

    assertThat(HttpSender.failure(handshake, SECOND))
        .isEqualTo(new HttpSender.Response(0, null, "TLS handshake failed: PKIX path building failed" + TLS_HINT, true));
  }

  @Test
  void aCertificateErrorWithoutAHandshakeExceptionAboveItIsPermanentToo() {
    assertThat(HttpSender.failure(new IOException("send failed", new CertificateException("certificate expired")), SECOND))
        .isEqualTo(new HttpSender.Response(0, null, "TLS handshake failed: certificate expired" + TLS_HINT, true));
  }

  @Test
  void aFatalAlertFromThePeerIsPermanent() {
    assertThat(HttpSender.failure(new SSLException("Received fatal alert: unknown_ca"), SECOND))
        .isEqualTo(new HttpSender.Response(0, null, "TLS handshake failed: Received fatal alert: unknown_ca" + TLS_HINT, true));
  }

  @Test
  void otherSslAndIoErrorsAreRetried() {
    assertThat(HttpSender.failure(new SSLException("Connection reset"), SECOND))
        .isEqualTo(new HttpSender.Response(0, null, "I/O error (SSLException)", false));
    assertThat(HttpSender.failure(new SSLException((String) null), SECOND))
        .isEqualTo(new HttpSender.Response(0, null, "I/O error (SSLException)", false));
    // The words alone, outside TLS, are not an alert.
    assertThat(HttpSender.failure(new IOException("Received fatal alert: unknown_ca"), SECOND))
        .isEqualTo(new HttpSender.Response(0, null, "I/O error (IOException)", false));
    SSLHandshakeException cutShort = new SSLHandshakeException("Remote host terminated the handshake");
    cutShort.initCause(new EOFException("SSL peer shut down incorrectly"));
    assertThat(HttpSender.failure(cutShort, SECOND))
        .isEqualTo(new HttpSender.Response(0, null, "I/O error (EOFException)", false));
  }

  /** A sender whose header supplier returns {@code supplied}; the request never leaves. */
  private HttpSender senderSupplying(Map<String, String> supplied) {
    HttpBatchTrackerConfig config =
        HttpBatchTrackerConfig.builder()
            .endpoint(URI.create("http://127.0.0.1:" + listener.getLocalPort() + "/ingest"))
            .env("test")
            .serviceKey("svc")
            .headers(() -> supplied)
            .build();
    return new HttpSender(client, config, "test");
  }

  private HttpSender.Response sendWithSupplied(Map<String, String> supplied) {
    HttpSender supplying = senderSupplying(supplied);
    try {
      CompletableFuture<HttpSender.Response> answer =
          supplying.send("{\"events\":[]}".getBytes(StandardCharsets.UTF_8), "key-1", Duration.ofMinutes(5));
      assertThat(answer).as("refused before any request").isDone();
      return answer.join();
    } finally {
      supplying.close();
    }
  }

  @Test
  void aSuppliedHeaderNameThatIsNotATokenIsPermanentAndShownWithControlCharactersMasked() {
    assertThat(sendWithSupplied(Map.of("X-Bad Name\u0001\u007f", "v")))
        .isEqualTo(
            new HttpSender.Response(0, null, "header supplier: invalid request header name 'X-Bad Name??'", true));
  }

  @Test
  void aLongInvalidHeaderNameIsShownByItsFirst64Characters() {
    String name = "X-" + "a".repeat(62) + "bcdef:";

    assertThat(sendWithSupplied(Map.of(name, "v")).failure())
        .isEqualTo("header supplier: invalid request header name 'X-" + "a".repeat(62) + "'");
  }

  @Test
  void aNullHeaderNameOrValueFromTheSupplierIsPermanentAndSaysWhich() {
    Map<String, String> nullName = new HashMap<>();
    nullName.put(null, "v");
    assertThat(sendWithSupplied(nullName))
        .isEqualTo(new HttpSender.Response(0, null, "header supplier: invalid request header name 'null'", true));

    Map<String, String> nullValue = new HashMap<>();
    nullValue.put("X-Tenant", null);
    assertThat(sendWithSupplied(nullValue))
        .isEqualTo(new HttpSender.Response(0, null, "header supplier: request header 'X-Tenant' has no value", true));
  }

  @Test
  void anEmptySuppliedHeaderNameIsPermanentInsteadOfFailingTheSend() {
    assertThat(sendWithSupplied(Map.of("", "v")))
        .isEqualTo(new HttpSender.Response(0, null, "header supplier: invalid request header name ''", true));
  }

  @Test
  void aThrowingHeaderSupplierFailsTheRequestForARetryWithAWarningNamingOnlyTheExceptionClass() {
    Logger logger = (Logger) LoggerFactory.getLogger(HttpBatchTracker.class);
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    logger.addAppender(log);
    HttpBatchTrackerConfig config =
        HttpBatchTrackerConfig.builder()
            .endpoint(URI.create("http://127.0.0.1:" + listener.getLocalPort() + "/ingest"))
            .env("test")
            .serviceKey("svc")
            .headers(() -> { throw new IllegalStateException("token service said: secret-token"); })
            .build();
    HttpSender throwing = new HttpSender(client, config, "test");
    try {
      HttpSender.Response response =
          throwing.send("{\"events\":[]}".getBytes(StandardCharsets.UTF_8), "key-1", Duration.ofMinutes(5)).join();

      assertThat(response)
          .isEqualTo(new HttpSender.Response(0, null, "request header supplier failed (java.lang.IllegalStateException)", false));
      assertThat(log.list)
          .singleElement()
          .satisfies(
              line -> {
                assertThat(line.getLevel()).isEqualTo(Level.WARN);
                assertThat(line.getFormattedMessage())
                    .isEqualTo(
                        "durable-tracker: request header supplier failed (java.lang.IllegalStateException);"
                            + " the request counts as failed and is retried like an I/O error");
              });
    } finally {
      throwing.close();
      logger.detachAppender(log);
    }
  }
}
