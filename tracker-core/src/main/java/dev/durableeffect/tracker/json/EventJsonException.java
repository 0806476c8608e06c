package dev.durableeffect.tracker.json;

/**
 * A JSON document is not a valid event batch. The message names the event index, the field and
 * the problem, for example {@code events[3].stepName: required field is missing}.
 */
public final class EventJsonException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  EventJsonException(String message) {
    super(message);
  }

  EventJsonException(String message, Throwable cause) {
    super(message, cause);
  }
}
