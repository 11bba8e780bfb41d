package io.substate.http;

import io.substate.common.ErrorCode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors Jetty answers itself, before any route runs (a URL it refuses, such as one with {@code %00} in its path): the
 * same JSON as every other error instead of Jetty's HTML page, so clients can always read the code.
 */
final class JettyErrors extends ErrorHandler {
    @Override
    protected void generateResponse(Request request, Response response, int status, String message, Throwable cause,
            Callback callback) {
        ErrorCode code = switch (status) {
            case 404 -> ErrorCode.ROUTE_NOT_FOUND;
            case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
            case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
            case 415 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE;
            default -> status >= 500 ? ErrorCode.INTERNAL_ERROR : ErrorCode.INVALID_PARAMETER;
        };
        String text = code == ErrorCode.INVALID_PARAMETER
                ? "The request was refused before reaching a route (" + (message == null ? "malformed" : message)
                        + "): a path may not hold NUL or other control characters, nor encoded '.' segments"
                : code == ErrorCode.INTERNAL_ERROR ? "Internal error; the request was not applied. Retry later."
                : message == null ? "Refused" : message;
        byte[] body = ErrorResponses.body(rawPath(request), code, text, Map.of()).getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        // Jetty drops the connection after a request it refused unread; saying so keeps clients from reusing it.
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    /** The path as sent (still encoded): the decoded one is what Jetty could not make. */
    private static String rawPath(Request request) {
        String pathQuery = request.getHttpURI() == null ? null : request.getHttpURI().getPathQuery();
        if (pathQuery == null) {
            return "";
        }
        int query = pathQuery.indexOf('?');
        return query < 0 ? pathQuery : pathQuery.substring(0, query);
    }
}
