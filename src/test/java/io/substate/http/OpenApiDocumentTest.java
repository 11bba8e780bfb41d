package io.substate.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.common.ErrorCode;
import io.substate.common.Json;
import io.substate.dashboard.DashboardRoutes;
import io.substate.http.HttpServer.Route;
import io.substate.testing.HttpResponse;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code GET /openapi.json} against the routes the running server registers (read from it, so a route added later
 * without its entry in {@code src/main/resources/openapi.json} fails here, and so does an entry for a route that does
 * not exist), and the document's structure as OpenAPI 3.1 requires it. No OpenAPI validator library resolves offline
 * in this build, so the structure is checked by hand: every {@code $ref} resolves, every path template's parameters
 * are declared as required path parameters and nothing else is, operation ids are present and unique, every operation
 * has a tag listed in {@code tags}, responses, and security schemes that exist.
 */
@ParameterizedClass
@EnumSource(TestDb.class)
class OpenApiDocumentTest {
    private static final Pattern TEMPLATE_PARAM = Pattern.compile("\\{([^}]+)}");
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch",
            "trace");

    @Parameter
    TestDb db;

    TestServer server() {
        return TestServer.shared(db);
    }

    /**
     * Routes the document leaves out on purpose: handlers that are no route ({@code before}), CORS preflights (an {@code OPTIONS} on a browser route is part of
     * calling it, README "Browsers (CORS)") and the dashboard's pages and files, which are HTML and scripts, not API.
     */
    static boolean described(Route route) {
        if (route.method().equals("OPTIONS") || !METHODS.contains(route.method().toLowerCase(Locale.ROOT))) {
            return false;
        }
        return !DashboardRoutes.PAGES.contains(route.path()) && !route.path().startsWith("/assets/");
    }

    @Test
    void everyRegisteredRouteHasAnEntryAndEveryEntryARoute() {
        JsonNode document = served();
        List<Route> registered = server().substate().routes();
        assertThat(registered.stream().filter(OpenApiDocumentTest::described)).as("described routes")
                .hasSizeGreaterThan(100);
        assertThat(routeProblems(document, registered)).as("Add each missing route's entry to "
                + "src/main/resources/openapi.json (method and path template as registered), and remove entries "
                + "for routes that no longer exist").isEmpty();
    }

    @Test
    void theDocumentIsStructurallyValidOpenApi31() {
        JsonNode document = served();
        assertThat(document.path("openapi").asText()).isEqualTo("3.1.0");
        assertThat(document.path("info").path("title").asText()).isEqualTo("Substate");
        assertThat(document.path("info").path("version").asText()).isNotBlank();
        assertThat(document.path("servers").isArray()).isTrue();
        assertThat(document.path("components").path("securitySchemes").fieldNames()).toIterable()
                .contains("AdminToken", "ProjectKey", "PublicKey", "SecretKey", "StripeSignature");
        assertThat(structureProblems(document)).isEmpty();
    }

    @Test
    void eachFamilyOfRoutesNamesItsCallersAndItsErrorShape() {
        JsonNode document = served();
        List<String> problems = new ArrayList<>();
        operations(document).forEach((key, operation) -> {
            String path = key.split(" ", 2)[1];
            Set<String> schemes = new TreeSet<>();
            JsonNode security = operation.has("security") ? operation.get("security") : document.get("security");
            security.forEach(requirement -> requirement.fieldNames().forEachRemaining(schemes::add));
            String error = operation.path("responses").path("default").path("$ref").asText("");
            boolean v1 = path.startsWith("/v1/") || path.startsWith("/rcbilling/v1/");
            Set<String> expected;
            String expectedError;
            if (path.startsWith("/v1/incoming-webhooks/")) {
                expected = Set.of("StripeSignature");
                expectedError = "#/components/responses/ErrorV2";
            } else if (v1) {
                expected = schemes.contains("PublicKey") ? Set.of("PublicKey", "SecretKey") : Set.of("SecretKey");
                expectedError = "#/components/responses/ErrorV1";
                schemes.retainAll(Set.of("PublicKey", "SecretKey"));
            } else if (path.startsWith("/v2/")) {
                expected = path.equals("/v2/projects") ? Set.of("AdminToken") : Set.of("AdminToken", "ProjectKey");
                expectedError = "#/components/responses/ErrorV2";
            } else {
                expected = Set.of();
                expectedError = "";
            }
            if (!schemes.equals(expected) && !(v1 && schemes.equals(Set.of("PublicKey")))) {
                problems.add(key + ": security " + schemes + ", expected " + expected);
            }
            if (!error.equals(expectedError)) {
                problems.add(key + ": default response '" + error + "', expected '" + expectedError + "'");
            }
        });
        assertThat(problems).isEmpty();
    }

    @Test
    void theV2ErrorSchemaListsEveryErrorTypeTheServerAnswers() {
        Set<String> listed = new TreeSet<>();
        served().at("/components/schemas/ErrorV2/properties/type/enum").forEach(type -> listed.add(type.asText()));
        Set<String> answered = new TreeSet<>();
        for (ErrorCode code : ErrorCode.values()) {
            answered.add(code.type());
        }
        assertThat(listed).isEqualTo(answered);
    }

    @Test
    void isServedWithoutCredentialsAsCacheableJson() throws IOException {
        HttpResponse response = server().anonymous().get(OpenApiRoutes.PATH);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Content-Type")).startsWith("application/json");
        assertThat(response.header("Cache-Control")).contains("public", "max-age=");
        String etag = response.header("ETag");
        assertThat(etag).startsWith("\"").endsWith("\"");
        // The file as kept in the repository, the build's version aside.
        ObjectNode file = (ObjectNode) Json.read(resource());
        ObjectNode served = (ObjectNode) response.json();
        ((ObjectNode) file.get("info")).remove("version");
        ((ObjectNode) served.get("info")).remove("version");
        assertThat(served).isEqualTo(file);

        HttpResponse again = server().anonymous().withHeader("If-None-Match", etag).get(OpenApiRoutes.PATH);
        assertThat(again.status()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
        HttpResponse stale = server().anonymous().withHeader("If-None-Match", "\"other\"").get(OpenApiRoutes.PATH);
        assertThat(stale.status()).isEqualTo(200);
        assertThat(stale.json().path("openapi").asText()).isEqualTo("3.1.0");
    }

    /** The checks above can fail: each kind of mistake, made on a copy of the document, is reported. */
    @Test
    void theChecksReportEachKindOfMistake() {
        List<Route> registered = server().substate().routes();
        ObjectNode missing = served().deepCopy();
        ((ObjectNode) missing.get("paths").get("/v2/projects/{project_id}/apps")).remove("get");
        ((ObjectNode) missing.get("paths")).putObject("/v2/nowhere").putObject("get")
                .put("operationId", "nowhere").putObject("responses").putObject("200").put("description", "x");
        assertThat(routeProblems(missing, registered)).containsExactlyInAnyOrder(
                "registered but not described: GET /v2/projects/{project_id}/apps",
                "described but not registered: GET /v2/nowhere");

        ObjectNode broken = served().deepCopy();
        ObjectNode getApp = (ObjectNode) broken.at("/paths/~1v2~1projects~1{project_id}~1apps~1{app_id}/get");
        getApp.put("operationId", "getProject");
        ((ArrayNode) getApp.get("parameters")).remove(1);
        ((ObjectNode) getApp.at("/responses/200/content/application~1json")).putObject("schema")
                .put("$ref", "#/components/schemas/Nothing");
        getApp.putArray("tags").add("Unlisted");
        assertThat(structureProblems(broken)).containsExactlyInAnyOrder(
                "duplicate operationId getProject",
                "GET /v2/projects/{project_id}/apps/{app_id}: path parameter {app_id} not declared",
                "unresolved $ref #/components/schemas/Nothing",
                "GET /v2/projects/{project_id}/apps/{app_id}: tag Unlisted not in tags");
    }

    static List<String> routeProblems(JsonNode document, List<Route> registered) {
        Set<String> routes = new TreeSet<>();
        registered.stream().filter(OpenApiDocumentTest::described)
                .forEach(r -> routes.add(r.method() + " " + r.path()));
        Set<String> documented = new TreeSet<>(operations(document).keySet());
        List<String> problems = new ArrayList<>();
        routes.stream().filter(r -> !documented.contains(r))
                .forEach(r -> problems.add("registered but not described: " + r));
        documented.stream().filter(d -> !routes.contains(d))
                .forEach(d -> problems.add("described but not registered: " + d));
        return problems;
    }

    static List<String> structureProblems(JsonNode document) {
        List<String> problems = new ArrayList<>();
        refs(document, document, problems);
        Set<String> tags = new HashSet<>();
        document.path("tags").forEach(tag -> tags.add(tag.path("name").asText()));
        Set<String> schemes = new HashSet<>();
        document.path("components").path("securitySchemes").fieldNames().forEachRemaining(schemes::add);
        Map<String, Integer> operationIds = new HashMap<>();
        operations(document).forEach((key, operation) -> {
            String path = key.split(" ", 2)[1];
            String id = operation.path("operationId").asText("");
            if (id.isBlank()) {
                problems.add(key + ": no operationId");
            } else if (operationIds.merge(id, 1, Integer::sum) == 2) {
                problems.add("duplicate operationId " + id);
            }
            operation.path("tags").forEach(tag -> {
                if (!tags.contains(tag.asText())) {
                    problems.add(key + ": tag " + tag.asText() + " not in tags");
                }
            });
            if (operation.path("tags").isEmpty()) {
                problems.add(key + ": no tag");
            }
            if (!operation.path("responses").isObject() || operation.path("responses").isEmpty()) {
                problems.add(key + ": no responses");
            }
            JsonNode security = operation.has("security") ? operation.get("security") : document.path("security");
            security.forEach(requirement -> requirement.fieldNames().forEachRemaining(name -> {
                if (!schemes.contains(name)) {
                    problems.add(key + ": unknown security scheme " + name);
                }
            }));
            Set<String> inTemplate = new TreeSet<>();
            Matcher m = TEMPLATE_PARAM.matcher(path);
            while (m.find()) {
                inTemplate.add(m.group(1));
            }
            Set<String> declared = new TreeSet<>();
            Set<String> seen = new HashSet<>();
            for (JsonNode parameter : operation.path("parameters")) {
                JsonNode p = resolve(document, parameter);
                if (p == null) {
                    continue;
                }
                if (!seen.add(p.path("in").asText() + " " + p.path("name").asText())) {
                    problems.add(key + ": parameter " + p.path("name").asText() + " declared twice");
                }
                if (p.path("in").asText().equals("path")) {
                    declared.add(p.path("name").asText());
                    if (!p.path("required").asBoolean(false)) {
                        problems.add(key + ": path parameter " + p.path("name").asText() + " not required");
                    }
                }
            }
            inTemplate.stream().filter(n -> !declared.contains(n))
                    .forEach(n -> problems.add(key + ": path parameter {" + n + "} not declared"));
            declared.stream().filter(n -> !inTemplate.contains(n))
                    .forEach(n -> problems.add(key + ": path parameter " + n + " not in the template"));
        });
        return problems;
    }

    /** "METHOD /path" → the operation, for every operation of the document. */
    static Map<String, JsonNode> operations(JsonNode document) {
        Map<String, JsonNode> operations = new java.util.TreeMap<>();
        document.path("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(op -> {
            if (METHODS.contains(op.getKey())) {
                operations.put(op.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey(), op.getValue());
            }
        }));
        return operations;
    }

    private static void refs(JsonNode document, JsonNode node, List<String> problems) {
        if (node.isObject()) {
            JsonNode ref = node.get("$ref");
            if (ref != null && (!ref.isTextual() || resolve(document, node) == null)) {
                problems.add("unresolved $ref " + ref.asText());
            }
            for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
                refs(document, it.next(), problems);
            }
        } else if (node.isArray()) {
            node.forEach(child -> refs(document, child, problems));
        }
    }

    /** The node a {@code $ref} points to (within the document only), the node itself without one, or null. */
    private static JsonNode resolve(JsonNode document, JsonNode node) {
        JsonNode ref = node.get("$ref");
        if (ref == null) {
            return node;
        }
        String pointer = ref.asText();
        if (!pointer.startsWith("#/")) {
            return null;
        }
        JsonNode target = document.at(pointer.substring(1));
        return target.isMissingNode() ? null : target;
    }

    JsonNode served() {
        HttpResponse response = server().anonymous().get(OpenApiRoutes.PATH);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json();
    }

    static String resource() throws IOException {
        try (InputStream in = OpenApiDocumentTest.class.getClassLoader().getResourceAsStream(OpenApiRoutes.RESOURCE)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
