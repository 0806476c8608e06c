package dev.durableeffect.tracker.sample;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The demo's own settings.
 *
 * @param autorun Whether to run a few workflows at startup so the page is never empty.
 * @param pace Multiplier of every wait inside the demo workflows (0.1 runs them ten times faster).
 */
@ConfigurationProperties("demo")
public record DemoProperties(@DefaultValue("true") boolean autorun, @DefaultValue("1.0") double pace) {}
