package io.substate.apps;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.common.ApiException;
import io.substate.common.Json;
import io.substate.http.JsonBody;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An app's {@code allowed_origins} (README, "Browsers (CORS)"): the web pages that may use its public key. Null
 * allows any origin, as public keys are meant for browsers; a list allows exactly those; an empty list allows none.
 * Each entry is an origin as browsers send it in the {@code Origin} header, {@code http(s)://host[:port]}: the scheme
 * and host in lowercase and a default port (80, 443) left out, which is how entries are stored and answered.
 */
final class AllowedOrigins {
    static final String FIELD = "allowed_origins";
    static final int MAX = 50;

    private static final Pattern ORIGIN = Pattern.compile(
            "(?<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?<host>\\[[0-9A-Fa-f:.]+\\]|[^/?#:@\\[\\]]+)(?::(?<port>[0-9]{1,5}))?");
    private static final Pattern HOST_NAME = Pattern.compile(
            "(?i)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*");

    private AllowedOrigins() {}

    /** The field of a create or update body: absent keeps, null allows any origin, a list replaces. */
    static FieldChange<List<String>> parse(JsonBody body) {
        if (!body.has(FIELD)) {
            return FieldChange.keep();
        }
        JsonNode value = body.node().get(FIELD);
        if (value.isNull()) {
            return FieldChange.clear();
        }
        if (!value.isArray()) {
            throw ApiException.invalid("Field '" + FIELD + "' must be null (any origin) or an array of origins such "
                    + "as [\"https://shop.example.com\"]");
        }
        if (value.size() > MAX) {
            throw ApiException.invalid("Field '" + FIELD + "' holds " + value.size() + " origins; at most " + MAX
                    + " are allowed");
        }
        List<String> origins = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (JsonNode item : value) {
            if (!item.isTextual()) {
                throw ApiException.invalid("Field '" + FIELD + "' must contain only strings; got " + item);
            }
            String origin = normalize(item.asText());
            if (!seen.add(origin)) {
                throw ApiException.invalid("Field '" + FIELD + "' lists '" + item.asText() + "' twice (as '" + origin
                        + "'): list each origin once");
            }
            origins.add(origin);
        }
        return FieldChange.set(List.copyOf(origins));
    }

    /** The origin as browsers send it, or 400 naming the entry and what is wrong with it. */
    static String normalize(String entry) {
        if (entry.equals("*")) {
            throw invalid(entry, "for any origin, set '" + FIELD + "' to null instead of listing '*'");
        }
        if (entry.isEmpty()) {
            throw invalid(entry, "it is empty");
        }
        if (!entry.equals(entry.strip())) {
            throw invalid(entry, "remove the spaces around it");
        }
        Matcher m = ORIGIN.matcher(entry);
        if (!m.matches()) {
            int rest = entry.indexOf("://") < 0 ? -1 : entry.indexOf('/', entry.indexOf("://") + 3);
            if (entry.indexOf("://") < 0) {
                throw invalid(entry, "start it with 'https://' or 'http://'");
            }
            if (rest >= 0 && rest == entry.length() - 1) {
                throw invalid(entry, "remove the trailing slash");
            }
            if (rest >= 0 || entry.contains("?") || entry.contains("#")) {
                throw invalid(entry, "an origin has no path, query or fragment: keep only scheme://host[:port]");
            }
            if (entry.contains("@")) {
                throw invalid(entry, "an origin has no user name or password");
            }
            throw invalid(entry, "it is not of the form scheme://host[:port]");
        }
        String scheme = m.group("scheme").toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw invalid(entry, "the scheme must be http or https");
        }
        String host = m.group("host").toLowerCase(Locale.ROOT);
        if (!host.startsWith("[") && !(host.length() <= 253 && HOST_NAME.matcher(host).matches())) {
            throw invalid(entry, "'" + host + "' is not a host name; write an internationalized name in its "
                    + "ASCII form (xn--…), as browsers send it");
        }
        String port = m.group("port");
        if (port == null) {
            return scheme + "://" + host;
        }
        int number = Integer.parseInt(port);
        if (number < 1 || number > 65535) {
            throw invalid(entry, "the port must be from 1 to 65535");
        }
        boolean defaultPort = scheme.equals("http") ? number == 80 : number == 443;
        return defaultPort ? scheme + "://" + host : scheme + "://" + host + ":" + number;
    }

    private static ApiException invalid(String entry, String why) {
        return ApiException.invalid("Field '" + FIELD + "': '" + entry + "' is not an origin (scheme://host[:port], "
                + "such as https://shop.example.com): " + why);
    }

    /** The stored text: a JSON array, or null for any origin. */
    static String toColumn(List<String> origins) {
        return origins == null ? null : Json.write(origins);
    }

    static List<String> fromColumn(String text) {
        if (text == null) {
            return null;
        }
        List<String> origins = new ArrayList<>();
        Json.read(text).forEach(node -> origins.add(node.asText()));
        return List.copyOf(origins);
    }
}
