package io.substate.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.substate.common.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * {@code GET /openapi.json}: the OpenAPI 3.1 description of every route, kept beside the routes in
 * {@code src/main/resources/openapi.json} ({@code http/OpenApiDocumentTest} fails when a route and the document
 * disagree). Unauthenticated, like the health routes: it describes the API and holds no data. The document is the
 * same for the life of the process, so it is built once and answered with an ETag that a client may revalidate.
 */
public final class OpenApiRoutes implements RouteGroup {
    public static final String PATH = "/openapi.json";
    static final String RESOURCE = "openapi.json";

    private final byte[] body;
    private final String etag;

    public OpenApiRoutes() {
        ObjectNode document = (ObjectNode) Json.read(read());
        // The jar's manifest carries the build's version; run from classes (tests, IDE), the file's own stays.
        String version = OpenApiRoutes.class.getPackage().getImplementationVersion();
        if (version != null) {
            ((ObjectNode) document.get("info")).put("version", version);
        }
        this.body = Json.write(document).getBytes(StandardCharsets.UTF_8);
        this.etag = "\"" + sha256(body) + "\"";
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get(PATH, this::document);
    }

    private void document(Context ctx) {
        ctx.header("ETag", etag);
        ctx.header("Cache-Control", "public, max-age=300");
        if (etag.equals(ctx.header("If-None-Match"))) {
            ctx.status(304);
            return;
        }
        ctx.contentType("application/json").result(body);
    }

    private static String read() {
        try (InputStream in = OpenApiRoutes.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
