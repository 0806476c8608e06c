package dev.durableeffect.tracker.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An HTTP proxy the tracker sends its requests through (plain HTTP requests in absolute form,
 * HTTPS through a {@code CONNECT} tunnel). Build one with {@link #of(String, int)}; invalid values
 * fail with an {@link InvalidSettingException} naming the setting. {@link #toString()} never shows
 * the password.
 *
 * <p>Credentials are sent as {@code Proxy-Authorization: Basic}, to the proxy only. For HTTPS
 * endpoints the JDK refuses Basic credentials on tunnels unless the JVM runs with {@code
 * -Djdk.http.auth.tunneling.disabledSchemes=} (empty); the tracker warns once at start when that
 * applies.
 *
 * @param host the proxy's host name or address
 * @param port the proxy's port, 1 to 65535
 * @param username user name for the proxy, or null when it needs none
 * @param password password for the proxy; required with a user name
 * @param nonProxyHosts hosts reached directly, not through the proxy: exact names or addresses, or
 *     patterns with {@code *} at the start or end ({@code *.internal}, {@code 10.*}); matched
 *     ignoring case
 */
public record HttpProxy(
    String host,
    int port,
    @Nullable String username,
    @Nullable String password,
    List<String> nonProxyHosts) {

  /** Validates every component; the exception names the setting, never the password. */
  public HttpProxy {
    if (host == null || host.isBlank()) {
      throw new InvalidSettingException("proxy.host", host == null ? null : "'" + host + "'", "a host name or address");
    }
    host = host.strip();
    if (port < 1 || port > 65535) {
      throw new InvalidSettingException("proxy.port", String.valueOf(port), "a port from 1 to 65535");
    }
    if (username != null && username.isEmpty()) {
      username = null;
    }
    if (username == null && password != null) {
      throw new InvalidSettingException("proxy.username", null, "a user name when a proxy password is set");
    }
    if (username != null && password == null) {
      throw new InvalidSettingException("proxy.password", null, "a password when a proxy user name is set");
    }
    if (username != null && username.indexOf(':') >= 0) {
      throw new InvalidSettingException("proxy.username", "'" + username + "'", "a user name without ':'");
    }
    List<String> hosts = new ArrayList<>();
    for (String pattern : nonProxyHosts == null ? List.<String>of() : nonProxyHosts) {
      if (pattern == null || pattern.isBlank() || pattern.strip().equals("*")) {
        throw new InvalidSettingException(
            "proxy.nonProxyHosts", pattern == null ? null : "'" + pattern + "'", "host names or patterns such as *.internal");
      }
      hosts.add(pattern.strip().toLowerCase(Locale.ROOT));
    }
    nonProxyHosts = List.copyOf(hosts);
  }

  /** A proxy without credentials that every request goes through. */
  public static HttpProxy of(String host, int port) {
    return new HttpProxy(host, port, null, null, List.of());
  }

  /** This proxy with Basic credentials. */
  public HttpProxy withCredentials(String username, String password) {
    return new HttpProxy(
        host, port, Objects.requireNonNull(username, "username"), Objects.requireNonNull(password, "password"), nonProxyHosts);
  }

  /** This proxy, bypassed for the given hosts or patterns ({@code *} at the start or end). */
  public HttpProxy withNonProxyHosts(List<String> hosts) {
    return new HttpProxy(host, port, username, password, hosts);
  }

  /** Whether requests to {@code targetHost} go directly rather than through this proxy. */
  public boolean bypasses(String targetHost) {
    String target = unbracket(targetHost.toLowerCase(Locale.ROOT));
    for (String pattern : nonProxyHosts) {
      String p = unbracket(pattern);
      boolean matches =
          p.startsWith("*")
              ? target.endsWith(p.substring(1))
              : p.endsWith("*") ? target.startsWith(p.substring(0, p.length() - 1)) : target.equals(p);
      if (matches) {
        return true;
      }
    }
    return false;
  }

  private static String unbracket(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  /** Host, port, user name and bypass list; the password shows as {@code ***} when set. */
  @Override
  public String toString() {
    return "HttpProxy[host="
        + host
        + ", port="
        + port
        + ", username="
        + username
        + ", password="
        + (password == null ? "null" : "***")
        + ", nonProxyHosts="
        + nonProxyHosts
        + "]";
  }
}
