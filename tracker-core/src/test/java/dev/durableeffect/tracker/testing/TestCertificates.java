package dev.durableeffect.tracker.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Self-signed certificates made at test time with the JDK's {@code keytool}: a server certificate
 * for {@code localhost} and {@code 127.0.0.1}, and a client certificate for mutual TLS, as PKCS12
 * key and trust stores and as PEM files. Made once per JVM, in a directory removed at exit.
 */
public final class TestCertificates {

  /** Password of every key store and key. */
  public static final String PASSWORD = "test-store-secret";

  private static volatile TestCertificates instance;

  private final Path dir;

  private TestCertificates(Path dir) {
    this.dir = dir;
  }

  /** The certificates, made on first use. */
  public static TestCertificates get() {
    TestCertificates made = instance;
    if (made == null) {
      synchronized (TestCertificates.class) {
        made = instance;
        if (made == null) {
          made = make();
          instance = made;
        }
      }
    }
    return made;
  }

  /** The server's key and certificate (alias {@code server}). */
  public Path serverKeyStore() {
    return dir.resolve("server.p12");
  }

  /** Trusts the client certificate: what a server requiring mutual TLS checks clients against. */
  public Path serverTrustStore() {
    return dir.resolve("server-trust.p12");
  }

  /** The server's certificate in PEM. */
  public Path serverCertificatePem() {
    return dir.resolve("server.pem");
  }

  /** The client's key and certificate (alias {@code client}). */
  public Path clientKeyStore() {
    return dir.resolve("client.p12");
  }

  /** Trusts the server certificate. */
  public Path clientTrustStore() {
    return dir.resolve("client-trust.p12");
  }

  /** The client's certificate in PEM. */
  public Path clientCertificatePem() {
    return dir.resolve("client.pem");
  }

  /** The client's private key in PEM (PKCS#8, unencrypted). */
  public Path clientPrivateKeyPem() {
    return dir.resolve("client-key.pem");
  }

  /** Trusts the server; presents the client certificate when {@code withClientCertificate}. */
  public SSLContext clientContext(boolean withClientCertificate) {
    try {
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(load(clientTrustStore()));
      SSLContext context = SSLContext.getInstance("TLS");
      if (withClientCertificate) {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(load(clientKeyStore()), PASSWORD.toCharArray());
        context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
      } else {
        context.init(null, trust.getTrustManagers(), null);
      }
      return context;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static TestCertificates make() {
    try {
      Path dir = Files.createTempDirectory("durable-tracker-tls");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
      keytool(
          "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
          "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2",
          "-storetype", "PKCS12", "-keystore", dir.resolve("server.p12").toString(),
          "-storepass", PASSWORD, "-keypass", PASSWORD);
      keytool(
          "-genkeypair", "-alias", "client", "-keyalg", "EC", "-groupname", "secp256r1",
          "-dname", "CN=durable-tracker-test-client", "-validity", "2",
          "-storetype", "PKCS12", "-keystore", dir.resolve("client.p12").toString(),
          "-storepass", PASSWORD, "-keypass", PASSWORD);
      KeyStore server = load(dir.resolve("server.p12"));
      KeyStore client = load(dir.resolve("client.p12"));
      trustStore(dir.resolve("server-trust.p12"), "client", client.getCertificate("client"));
      trustStore(dir.resolve("client-trust.p12"), "server", server.getCertificate("server"));
      pem(dir.resolve("server.pem"), "CERTIFICATE", server.getCertificate("server").getEncoded());
      pem(dir.resolve("client.pem"), "CERTIFICATE", client.getCertificate("client").getEncoded());
      PrivateKey clientKey = (PrivateKey) client.getKey("client", PASSWORD.toCharArray());
      pem(dir.resolve("client-key.pem"), "PRIVATE KEY", clientKey.getEncoded());
      return new TestCertificates(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void keytool(String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException("keytool failed: " + output);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running keytool", e);
    } finally {
      process.destroy();
    }
  }

  private static KeyStore load(Path path) throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(path)) {
      store.load(in, PASSWORD.toCharArray());
    }
    return store;
  }

  private static void trustStore(Path path, String alias, Certificate certificate)
      throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setCertificateEntry(alias, certificate);
    try (OutputStream out = Files.newOutputStream(path)) {
      store.store(out, PASSWORD.toCharArray());
    }
  }

  private static void pem(Path path, String type, byte[] der) throws IOException {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    Files.writeString(path, "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n");
  }

  private static void delete(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort at JVM exit
    }
  }

  /** A WireMock endpoint on http and on https with the server certificate. */
  public com.github.tomakehurst.wiremock.core.WireMockConfiguration httpsServer() {
    return com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig()
        .dynamicPort()
        .dynamicHttpsPort()
        .keystorePath(serverKeyStore().toString())
        .keystoreType("PKCS12")
        .keystorePassword(PASSWORD)
        .keyManagerPassword(PASSWORD);
  }

  /** As {@link #httpsServer()}, and it requires a client certificate it trusts (mutual TLS). */
  public com.github.tomakehurst.wiremock.core.WireMockConfiguration mutualTlsServer() {
    return httpsServer()
        .needClientAuth(true)
        .trustStorePath(serverTrustStore().toString())
        .trustStoreType("PKCS12")
        .trustStorePassword(PASSWORD);
  }
}
