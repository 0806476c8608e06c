package dev.durableeffect.tracker;

import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/**
 * Carries the caller's context to the thread that runs a timed step: the SLF4J MDC always, and
 * everything registered with Micrometer's context-propagation library (trace and observation
 * scopes, for example) when that library is on the classpath.
 */
final class CallerContext {

  private static final boolean CONTEXT_PROPAGATION =
      isPresent("io.micrometer.context.ContextSnapshotFactory", CallerContext.class.getClassLoader());

  private CallerContext() {}

  /** {@code body} wrapped to run with the context of the calling thread, captured now. */
  static <T> Callable<T> capture(Callable<T> body) {
    Callable<T> withMdc = withMdc(body);
    return CONTEXT_PROPAGATION ? MicrometerContext.capture(withMdc) : withMdc;
  }

  /** Whether Micrometer's context-propagation library is used. */
  static boolean propagatesMicrometerContext() {
    return CONTEXT_PROPAGATION;
  }

  static boolean isPresent(String className, @Nullable ClassLoader classLoader) {
    try {
      Class.forName(className, false, classLoader);
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  private static <T> Callable<T> withMdc(Callable<T> body) {
    Map<String, String> callers = MDC.getCopyOfContextMap();
    return () -> {
      Map<String, String> own = MDC.getCopyOfContextMap();
      set(callers);
      try {
        return body.call();
      } finally {
        set(own);
      }
    };
  }

  private static void set(@Nullable Map<String, String> context) {
    if (context == null) {
      MDC.clear();
    } else {
      MDC.setContextMap(context);
    }
  }
}
