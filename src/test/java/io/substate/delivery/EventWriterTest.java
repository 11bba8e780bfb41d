package io.substate.delivery;

import io.substate.common.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class EventWriterTest {
    @Test
    void writesFieldsInOrderWithNullsArraysAndEscapes() {
        String json = EventWriter.write(e -> {
            e.string("id", "A\"B\\C\u00e9\n");
            e.string("missing", null);
            e.number("at", 1_795_000_000_000L);
            e.number("never", null);
            e.decimal("price", 9.99);
            e.bool("flag", false);
            e.strings("aliases", List.of("u1", "$RCAnonymousID:ab"));
            e.strings("none", null);
            e.strings("empty", List.of());
        });

        assertThat(json).isEqualTo("{\"id\":\"A\\\"B\\\\C\u00e9\\n\",\"missing\":null,\"at\":1795000000000,"
                + "\"never\":null,\"price\":9.99,\"flag\":false,\"aliases\":[\"u1\",\"$RCAnonymousID:ab\"],"
                + "\"none\":null,\"empty\":[]}");
        assertThat(Json.parse(json).get("id").asText()).isEqualTo("A\"B\\C\u00e9\n");
    }
}
