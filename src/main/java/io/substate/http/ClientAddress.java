package io.substate.http;

import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;

/**
 * The address a request came from, for the failed-authentication limit. Without trusted proxies it is the TCP peer:
 * {@code X-Forwarded-For} is written by the client and proves nothing. Behind {@code n} trusted proxies, each of
 * which appends the address it received the request from, the client is the {@code n}-th entry from the right; the
 * entries left of it are whatever the client sent.
 */
public final class ClientAddress {
    private final int trustedProxies;

    public ClientAddress(int trustedProxies) {
        this.trustedProxies = trustedProxies;
    }

    public String of(Context ctx) {
        String peer = ctx.req().getRemoteAddr();
        if (trustedProxies == 0) {
            return peer;
        }
        List<String> hops = new ArrayList<>();
        for (String header : java.util.Collections.list(ctx.req().getHeaders("X-Forwarded-For"))) {
            for (String part : header.split(",")) {
                if (!part.isBlank()) {
                    hops.add(part.trim());
                }
            }
        }
        // The nearest proxy is the peer itself; it appended the address before it, and so on outwards.
        int index = hops.size() - trustedProxies;
        if (index < 0) {
            // Fewer entries than proxies: the request did not pass through all of them; the farthest one known.
            return hops.isEmpty() ? peer : hops.get(0);
        }
        return hops.get(index);
    }
}
