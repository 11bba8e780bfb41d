package io.substate.purchases;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.substate.common.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Purchase states to and from their stored JSON, remembering the last states written or read by their text. A
 * webhook reads the state the previous webhook of the same purchase wrote moments ago (a subscription's
 * {@code created}, then its {@code updated}, its invoice, …), and parsing it again costs more than all of that
 * webhook's SQL. States are immutable records (every list in them is copied into an unmodifiable one), so a state
 * may be shared; the text is the key, so a row changed by another instance simply misses. Thread-safe.
 */
final class StateCodec {
    /** Enough for the purchases in flight under load; a state is a few kilobytes of text. */
    private static final int CAPACITY = 1024;

    private static final Map<String, PurchaseState> RECENT = new LinkedHashMap<>(CAPACITY * 4 / 3, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, PurchaseState> eldest) {
            return size() > CAPACITY;
        }
    };

    private StateCodec() {}

    static String write(PurchaseState state) {
        String json = Json.write(state);
        remember(json, state);
        return json;
    }

    static PurchaseState read(String json) throws JsonProcessingException {
        PurchaseState known;
        synchronized (RECENT) {
            known = RECENT.get(json);
        }
        if (known != null) {
            return known;
        }
        PurchaseState state = Json.MAPPER.readValue(json, PurchaseState.class);
        remember(json, state);
        return state;
    }

    private static void remember(String json, PurchaseState state) {
        synchronized (RECENT) {
            RECENT.put(json, state);
        }
    }
}
