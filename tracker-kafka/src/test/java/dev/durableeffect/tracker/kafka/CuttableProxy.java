package dev.durableeffect.tracker.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP forwarder on a fixed loopback port in front of the broker, which the broker advertises as
 * its address: {@link #cut()} closes the port and every connection through it (clients see
 * connections reset, then refused, as with a stopped broker), {@link #restore()} opens the same
 * port again.
 */
final class CuttableProxy implements AutoCloseable {

  private final int port;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private volatile int upstreamPort;
  private volatile ServerSocket server;

  CuttableProxy() {
    this.server = open(0);
    this.port = server.getLocalPort();
    accept(server);
  }

  int port() {
    return port;
  }

  /** Where connections are forwarded to; set once the broker has its port. */
  void forwardTo(int upstreamPort) {
    this.upstreamPort = upstreamPort;
  }

  /** The broker becomes unreachable: the port is closed and every open connection is reset. */
  synchronized void cut() {
    closeQuietly(server);
    for (Socket socket : sockets) {
      closeQuietly(socket);
    }
    sockets.clear();
  }

  /** The broker is reachable again on the same port. */
  synchronized void restore() {
    if (!server.isClosed()) {
      return;
    }
    server = open(port);
    accept(server);
  }

  @Override
  public void close() {
    cut();
  }

  private static ServerSocket open(int port) {
    try {
      ServerSocket socket = new ServerSocket();
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return socket;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void accept(ServerSocket listening) {
    Thread acceptor =
        new Thread(
            () -> {
              while (!listening.isClosed()) {
                Socket client;
                try {
                  client = listening.accept();
                } catch (IOException e) {
                  continue; // closed by cut()
                }
                try {
                  Socket broker = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
                  client.setTcpNoDelay(true);
                  broker.setTcpNoDelay(true);
                  sockets.add(client);
                  sockets.add(broker);
                  pump(client, broker);
                  pump(broker, client);
                } catch (IOException e) {
                  closeQuietly(client); // the broker refused: so does the proxy
                }
              }
            },
            "proxy-accept-" + port);
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private void pump(Socket from, Socket to) {
    Thread pump =
        new Thread(
            () -> {
              byte[] buffer = new byte[64 * 1024];
              try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                  out.write(buffer, 0, n);
                  out.flush();
                }
              } catch (IOException e) {
                // cut, or the other side closed
              } finally {
                closeQuietly(from);
                closeQuietly(to);
                sockets.remove(from);
                sockets.remove(to);
              }
            },
            "proxy-pump-" + port);
    pump.setDaemon(true);
    pump.start();
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      // already closed
    }
  }
}
