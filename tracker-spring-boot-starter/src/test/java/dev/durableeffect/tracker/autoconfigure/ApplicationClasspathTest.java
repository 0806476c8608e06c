package dev.durableeffect.tracker.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.http.client.ClientHttpRequestFactoryBuilder;
import org.springframework.boot.http.client.JdkClientHttpRequestFactoryBuilder;
import org.springframework.util.ClassUtils;

/**
 * Adding the starter leaves the application's own choices alone. The class loader here holds
 * exactly what an application gets at run time by depending on the starter (its compile and
 * runtime dependencies, resolved by Maven into {@code target/application-classpath.txt}, plus the
 * starter's classes) and nothing else: no test libraries.
 *
 * <p>Spring Boot picks the {@code RestClient}/{@code RestTemplate} request factory of an
 * application ({@link ClientHttpRequestFactoryBuilder#detect(ClassLoader)}) from the presence of
 * Apache HttpClient 5, Jetty's client, Reactor Netty, then the JDK client, in that order. If the
 * starter brings none of the first three, a Spring MVC application that adds it keeps the factory
 * it had, whatever that was.
 */
class ApplicationClasspathTest {

  private URLClassLoader withStarter;
  private URLClassLoader withoutStarter;

  @BeforeEach
  void classLoaders() throws IOException {
    List<URL> urls = new ArrayList<>();
    for (String entry : Files.readString(Path.of("target", "application-classpath.txt")).strip().split(java.io.File.pathSeparator)) {
      urls.add(url(Path.of(entry)));
    }
    urls.add(url(Path.of("target", "classes")));
    withStarter = new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    withoutStarter = new URLClassLoader(new URL[0], ClassLoader.getPlatformClassLoader());
  }

  @AfterEach
  void close() throws IOException {
    withStarter.close();
    withoutStarter.close();
  }

  @Test
  void aSpringMvcApplicationKeepsItsHttpRequestFactoryWhenItAddsTheStarter() {
    assertThat(ClassUtils.isPresent(DurableTrackerAutoConfiguration.class.getName(), withStarter)).isTrue();

    assertThat(ClientHttpRequestFactoryBuilder.detect(withStarter))
        .isInstanceOf(JdkClientHttpRequestFactoryBuilder.class)
        .hasSameClassAs(ClientHttpRequestFactoryBuilder.detect(withoutStarter));
    for (String client :
        List.of(
            "org.apache.hc.client5.http.impl.classic.HttpClients",
            "org.eclipse.jetty.client.HttpClient",
            "reactor.netty.http.client.HttpClient",
            "okhttp3.OkHttpClient")) {
      assertThat(ClassUtils.isPresent(client, withStarter)).as(client).isFalse();
    }
  }

  @Test
  void aNonWebApplicationStaysANonWebApplicationWhenItAddsTheStarter() throws Exception {
    // Spring Boot 3.5 deduces a reactive web application from Spring WebFlux on the class path.
    assertThat(ClassUtils.isPresent("org.springframework.web.reactive.DispatcherHandler", withStarter)).isFalse();
    ClassLoader previous = Thread.currentThread().getContextClassLoader();
    Thread.currentThread().setContextClassLoader(withStarter);
    try {
      Class<?> springApplication = Class.forName("org.springframework.boot.SpringApplication", true, withStarter);
      Object application = springApplication.getConstructor(Class[].class).newInstance((Object) new Class<?>[0]);
      Object type = springApplication.getMethod("getWebApplicationType").invoke(application);
      assertThat(type).hasToString("NONE");
    } finally {
      Thread.currentThread().setContextClassLoader(previous);
    }
  }

  private static URL url(Path path) {
    try {
      return path.toAbsolutePath().toUri().toURL();
    } catch (MalformedURLException e) {
      throw new IllegalStateException(e);
    }
  }
}
