package dev.durableeffect.tracker.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link HttpSender} against a loopback socket that reads a request and never answers. */
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
}
