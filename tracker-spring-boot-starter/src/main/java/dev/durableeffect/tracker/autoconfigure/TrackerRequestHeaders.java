package dev.durableeffect.tracker.autoconfigure;

import java.util.Map;

/**
 * Request headers that change while the application runs, such as a rotating token for the
 * tracking endpoint. Define a bean of this type and the tracker calls it before every request,
 * retries included; its headers replace static {@code durable.tracker.headers.*} of the same name.
 * With several beans, later ones in {@link org.springframework.core.annotation.Order @Order}
 * replace earlier ones' headers of the same name.
 *
 * <p>It is called on the tracker's sender thread, so it should return quickly (a cached token,
 * refreshed elsewhere). If it throws, that request counts as failed and is retried like an I/O
 * error, with a rate-limited warning that names the exception class but never its message.
 * Header values are never logged.
 */
@FunctionalInterface
public interface TrackerRequestHeaders {

  /**
   * The headers for the next request.
   *
   * @return header names and values; may be empty
   */
  Map<String, String> headers();
}
