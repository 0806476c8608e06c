package dev.durableeffect.tracker.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The library's name and version, read from the build's generated properties. */
final class TrackerVersion {

  private static final String VERSION = load();

  private TrackerVersion() {}

  static String userAgent() {
    return "durable-tracker-java/" + VERSION + " (Java " + Runtime.version().feature() + ")";
  }

  private static String load() {
    try (InputStream in = TrackerVersion.class.getResourceAsStream("tracker-version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
