package io.substate.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.common.Json;

/** RevenueCat v2's answer to a DELETE: what was deleted ({@code object}, {@code id}) and when ({@code deleted_at}, ms). */
public final class DeletedObject {
    private DeletedObject() {}

    public static ObjectNode json(String object, String id, long deletedAt) {
        ObjectNode node = Json.object();
        node.put("object", object);
        node.put("id", id);
        node.put("deleted_at", deletedAt);
        return node;
    }
}
