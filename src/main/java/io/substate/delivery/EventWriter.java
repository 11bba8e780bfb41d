package io.substate.delivery;

import com.fasterxml.jackson.core.JsonGenerator;
import io.substate.common.Json;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;

/** One JSON object written field by field with Jackson's generator, for payloads built on the webhook's hot path. */
final class EventWriter {
    @FunctionalInterface
    interface Fields {
        void write(EventWriter object) throws IOException;
    }

    private final JsonGenerator generator;

    private EventWriter(JsonGenerator generator) {
        this.generator = generator;
    }

    static String write(Fields fields) {
        StringWriter out = new StringWriter(1024);
        try (JsonGenerator generator = Json.MAPPER.getFactory().createGenerator(out)) {
            generator.writeStartObject();
            fields.write(new EventWriter(generator));
            generator.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    /** The string, or null. */
    void string(String name, String value) throws IOException {
        generator.writeStringField(name, value);
    }

    /** The number, or null. */
    void number(String name, Long value) throws IOException {
        if (value == null) {
            generator.writeNullField(name);
        } else {
            generator.writeNumberField(name, value.longValue());
        }
    }

    void decimal(String name, double value) throws IOException {
        generator.writeNumberField(name, value);
    }

    void bool(String name, boolean value) throws IOException {
        generator.writeBooleanField(name, value);
    }

    /** An array of strings, or null. */
    void strings(String name, List<String> values) throws IOException {
        if (values == null) {
            generator.writeNullField(name);
            return;
        }
        generator.writeArrayFieldStart(name);
        for (String value : values) {
            generator.writeString(value);
        }
        generator.writeEndArray();
    }
}
