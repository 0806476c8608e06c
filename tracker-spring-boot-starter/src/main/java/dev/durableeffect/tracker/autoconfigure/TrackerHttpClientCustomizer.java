package dev.durableeffect.tracker.autoconfigure;

import java.net.http.HttpClient;

/**
 * Customizes the builder of the tracker's own JDK {@link HttpClient}, the way Spring Boot's {@code
 * ZipkinHttpClientBuilderCustomizer} does for Zipkin's sender: define beans of this type to change
 * one client setting (an executor, SSL parameters, the HTTP version, an authenticator, ...) without
 * replacing the tracker bean.
 *
 * <p>Customizers run in {@link org.springframework.core.annotation.Order @Order} order, after the
 * tracker has applied its own settings (HTTP/1.1, no redirects, the connect timeout from {@code
 * durable.tracker.request-timeout}, {@code durable.tracker.ssl.bundle}, {@code
 * durable.tracker.proxy.*}), so a customizer can override any of them. The client is the
 * tracker's alone: nothing configured for the application's own HTTP clients applies to it.
 */
@FunctionalInterface
public interface TrackerHttpClientCustomizer {

  /**
   * Customizes the builder before the tracker's client is built.
   *
   * @param builder the builder of the tracker's own client
   */
  void customize(HttpClient.Builder builder);
}
