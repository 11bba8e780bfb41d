package io.substate.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.common.Json;
import java.net.http.HttpHeaders;

/** A response as a test sees it. */
public record HttpResponse(int status, String body, HttpHeaders headers) {
    public JsonNode json() {
        return Json.read(body);
    }

    public String header(String name) {
        return headers.firstValue(name).orElse(null);
    }

    @Override
    public String toString() {
        return status + " " + body;
    }
}
