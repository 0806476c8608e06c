package dev.durableeffect.tracker.event;

import java.util.Optional;

/** Why a workflow paused: {@code sleep} or {@code retry} on the wire. */
public enum PauseReason {
  SLEEP("sleep"),
  RETRY("retry");

  private final String wireName;

  PauseReason(String wireName) {
    this.wireName = wireName;
  }

  /** The JSON value of the paused event's {@code reason} field. */
  public String wireName() {
    return wireName;
  }

  /** Looks a reason up by its wire name; empty when it is neither {@code sleep} nor {@code retry}. */
  public static Optional<PauseReason> fromWireName(String wireName) {
    for (PauseReason reason : values()) {
      if (reason.wireName.equals(wireName)) {
        return Optional.of(reason);
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return wireName;
  }
}
