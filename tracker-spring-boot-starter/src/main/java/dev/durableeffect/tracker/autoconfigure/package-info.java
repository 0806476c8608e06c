/**
 * Spring Boot auto-configuration of durable-tracker: binds {@code durable.tracker.*}, registers the
 * tracker bean, flushes it on shutdown, and reports metrics and health when Micrometer and Actuator
 * are present.
 */
@NullMarked
package dev.durableeffect.tracker.autoconfigure;

import org.jspecify.annotations.NullMarked;
