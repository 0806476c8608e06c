package dev.durableeffect.tracker.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.util.ClassUtils;

/** Boot's metrics auto-configurations live in different packages on 3.5 and 4.0; tests run on both. */
final class BootLine {

  private BootLine() {}

  static AutoConfigurations metrics() {
    List<Class<?>> classes = new ArrayList<>();
    for (String name :
        List.of(
            "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration",
            "org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration",
            "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
            "org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration")) {
      if (ClassUtils.isPresent(name, BootLine.class.getClassLoader())) {
        classes.add(ClassUtils.resolveClassName(name, BootLine.class.getClassLoader()));
      }
    }
    if (classes.size() != 3) {
      throw new IllegalStateException("expected the metrics auto-configurations of one Boot line, found " + classes);
    }
    return AutoConfigurations.of(classes.toArray(Class<?>[]::new));
  }

  /** Status code and details of a Boot 3 or Boot 4 {@code Health}, read reflectively. */
  record HealthView(String status, java.util.Map<String, Object> details) {}

  @SuppressWarnings("unchecked")
  static HealthView health(Object indicator) throws Exception {
    Object health = indicator.getClass().getMethod("health").invoke(indicator);
    Object status = health.getClass().getMethod("getStatus").invoke(health);
    String code = (String) status.getClass().getMethod("getCode").invoke(status);
    var details = (java.util.Map<String, Object>) health.getClass().getMethod("getDetails").invoke(health);
    return new HealthView(code, details);
  }
}
