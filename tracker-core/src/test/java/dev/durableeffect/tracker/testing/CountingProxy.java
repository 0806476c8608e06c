package dev.durableeffect.tracker.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP forward proxy that counts what passes through it. Plain requests (absolute-form
 * targets) are forwarded, one per connection, to {@code 127.0.0.1:upstreamPort} whatever host they
 * name, so an endpoint on an unresolvable host is reachable only through the proxy; {@code
 * CONNECT} opens a tunnel to the same port. With {@link #requireCredentials} it answers 407 to
 * anything without the right {@code Proxy-Authorization}.
 */
public final class CountingProxy implements AutoCloseable {

  private final ServerSocket server;
  private final int upstreamPort;
  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "counting-proxy");
            t.setDaemon(true);
            return t;
          });
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger forwarded = new AtomicInteger();
  private final AtomicInteger tunnels = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();
  private final List<String> targets = new CopyOnWriteArrayList<>();
  private final List<String> authorizations = new CopyOnWriteArrayList<>();
  private volatile String expectedAuthorization;

  private CountingProxy(int upstreamPort) throws IOException {
    this.upstreamPort = upstreamPort;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    threads.execute(this::accept);
  }

  /** A proxy that forwards and tunnels to {@code 127.0.0.1:upstreamPort}. */
  public static CountingProxy to(int upstreamPort) {
    try {
      return new CountingProxy(upstreamPort);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** From now on, answers 407 unless a request carries these Basic credentials. */
  public CountingProxy requireCredentials(String username, String password) {
    expectedAuthorization =
        "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    return this;
  }

  public int port() {
    return server.getLocalPort();
  }

  /** Plain requests forwarded upstream. */
  public int forwarded() {
    return forwarded.get();
  }

  /** {@code CONNECT} tunnels opened. */
  public int tunnels() {
    return tunnels.get();
  }

  /** Requests answered 407. */
  public int refused() {
    return refused.get();
  }

  /** The request targets seen, absolute URIs or {@code host:port} of tunnels. */
  public List<String> targets() {
    return List.copyOf(targets);
  }

  /** Every {@code Proxy-Authorization} value received. */
  public List<String> authorizations() {
    return List.copyOf(authorizations);
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
    for (Socket socket : open) {
      closeQuietly(socket);
    }
    threads.shutdownNow();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        open.add(client);
        threads.execute(() -> serve(client));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket client) {
    Socket upstream = null;
    try {
      InputStream in = client.getInputStream();
      OutputStream out = client.getOutputStream();
      List<String> head = readHead(in);
      if (head.isEmpty()) {
        return;
      }
      String[] requestLine = head.get(0).split(" ");
      String authorization = null;
      int contentLength = 0;
      List<String> headers = new ArrayList<>();
      for (String line : head.subList(1, head.size())) {
        int colon = line.indexOf(':');
        String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value = line.substring(colon + 1).trim();
        switch (name) {
          case "proxy-authorization" -> authorization = value;
          case "content-length" -> {
            contentLength = Integer.parseInt(value);
            headers.add(line);
          }
          case "proxy-connection", "connection", "keep-alive" -> { }
          default -> headers.add(line);
        }
      }
      targets.add(requestLine[1]);
      if (authorization != null) {
        authorizations.add(authorization);
      }
      String expected = expectedAuthorization;
      if (expected != null && !expected.equals(authorization)) {
        refused.incrementAndGet();
        out.write(
            ("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\n"
                    + "Content-Length: 0\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return;
      }
      upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
      open.add(upstream);
      if (requestLine[0].equals("CONNECT")) {
        tunnels.incrementAndGet();
        out.write("HTTP/1.1 200 Connection Established\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        Socket up = upstream;
        threads.execute(() -> pipe(client, up));
        pipe(up, client);
        return;
      }
      forwarded.incrementAndGet();
      URI target = URI.create(requestLine[1]);
      String path = target.getRawPath() + (target.getRawQuery() == null ? "" : "?" + target.getRawQuery());
      StringBuilder request = new StringBuilder(requestLine[0] + " " + path + " " + requestLine[2] + "\r\n");
      headers.forEach(h -> request.append(h).append("\r\n"));
      request.append("Via: 1.1 counting-proxy\r\nConnection: close\r\n\r\n");
      OutputStream up = upstream.getOutputStream();
      up.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
      up.write(in.readNBytes(contentLength));
      up.flush();
      upstream.getInputStream().transferTo(out);
      out.flush();
    } catch (IOException | RuntimeException e) {
      // a dropped connection ends this exchange
    } finally {
      closeQuietly(client);
      if (upstream != null) {
        closeQuietly(upstream);
      }
    }
  }

  private void pipe(Socket from, Socket to) {
    try {
      from.getInputStream().transferTo(to.getOutputStream());
    } catch (IOException e) {
      // either side closed
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private static List<String> readHead(InputStream in) throws IOException {
    List<String> lines = new ArrayList<>();
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1) {
      if (b == '\n') {
        String text = line.toString(StandardCharsets.ISO_8859_1).replace("\r", "");
        if (text.isEmpty()) {
          return lines;
        }
        lines.add(text);
        line.reset();
      } else {
        line.write(b);
      }
    }
    return List.of();
  }

  private void closeQuietly(Socket socket) {
    open.remove(socket);
    try {
      socket.close();
    } catch (IOException e) {
      // already closed
    }
  }

  /** The address to configure as the proxy: {@code 127.0.0.1} and this proxy's port. */
  public InetSocketAddress address() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), port());
  }
}
