package dev.durableeffect.tracker.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.durableeffect.tracker.event.WireEvent;
import dev.durableeffect.tracker.event.WorkflowEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes and reads the wire JSON of workflow events, exactly as the TypeScript reference's
 * receivers expect: field names and order of the wire format, {@code source:"workflow"},
 * timestamps as {@code 2025-12-05T03:20:12.456Z}, optional fields left out, {@code input} written as
 * the JSON value it is.
 *
 * <p>Writing an event whose {@code input} cannot be serialized throws {@link
 * UncheckedIOException}. Reading is tolerant of unknown fields and strict about required ones: a
 * malformed document gives an {@link EventJsonException} naming the event index and field.
 */
public final class EventJson {

  /** The mapper used for {@code input} values and for parsing; owned here, never Spring's. */
  static final ObjectMapper MAPPER =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(SerializationFeature.FLUSH_AFTER_WRITE_VALUE);

  private EventJson() {}

  /** The wire JSON of one enriched event. */
  public static String toJson(WireEvent event) {
    StringWriter out = new StringWriter(256);
    writeText(out, g -> EventJsonWriter.write(g, event.event(), event.env(), event.serviceKey()));
    return out.toString();
  }

  /** The internal JSON of one event: the wire form without {@code env} and {@code serviceKey}. */
  public static String toJson(WorkflowEvent event) {
    StringWriter out = new StringWriter(256);
    writeText(out, g -> EventJsonWriter.write(g, event, null, null));
    return out.toString();
  }

  /** The UTF-8 wire JSON of one enriched event. */
  public static byte[] toJsonBytes(WireEvent event) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    write(event, out);
    return out.toByteArray();
  }

  /** Writes the UTF-8 wire JSON of one enriched event to {@code out}; does not close it. */
  public static void write(WireEvent event, OutputStream out) {
    try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
      g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      EventJsonWriter.write(g, event.event(), event.env(), event.serviceKey());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A batch body: {@code {"events":[...]}}. */
  public static String toBatchJson(List<WireEvent> events) {
    StringWriter out = new StringWriter(256 * Math.max(1, events.size()));
    writeText(
        out,
        g -> {
          g.writeStartObject();
          g.writeArrayFieldStart("events");
          for (WireEvent event : events) {
            EventJsonWriter.write(g, event.event(), event.env(), event.serviceKey());
          }
          g.writeEndArray();
          g.writeEndObject();
        });
    return out.toString();
  }

  /** Reads a batch body {@code {"events":[...]}} into wire events, in order. */
  public static List<WireEvent> fromBatchJson(String json) {
    return EventJsonReader.readBatch(json.getBytes(StandardCharsets.UTF_8));
  }

  /** Reads a UTF-8 batch body {@code {"events":[...]}} into wire events, in order. */
  public static List<WireEvent> fromBatchJson(byte[] json) {
    return EventJsonReader.readBatch(json);
  }

  /** Reads a UTF-8 batch body from a stream (not closed) into wire events, in order. */
  public static List<WireEvent> fromBatchJson(InputStream json) {
    try {
      return EventJsonReader.readBatch(json.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private interface GeneratorWork {
    void writeTo(JsonGenerator generator) throws IOException;
  }

  private static void writeText(Writer out, GeneratorWork work) {
    try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
      work.writeTo(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
