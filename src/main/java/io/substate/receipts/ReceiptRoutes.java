package io.substate.receipts;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.substate.customers.ApiCaller;
import io.substate.customers.ApiKeyAuth;
import io.substate.customers.SubscriberAttributes;
import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import io.substate.common.Json;
import io.substate.http.JsonBody;
import io.substate.http.Requests;
import io.substate.http.RouteGroup;
import java.util.List;
import java.util.Locale;

/** {@code POST /v1/receipts} with {@code X-Platform: stripe} (README, "RevenueCat REST API v1"), authenticated by the app's public key. */
public final class ReceiptRoutes implements RouteGroup {
    private final ReceiptService receipts;
    private final ApiKeyAuth auth;

    public ReceiptRoutes(ReceiptService receipts, ApiKeyAuth auth) {
        this.receipts = receipts;
        this.auth = auth;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.post("/v1/receipts", this::post);
    }

    private void post(Context ctx) {
        ApiCaller caller = auth.requireApp(ctx);
        String platform = ctx.header("X-Platform");
        if (platform == null || !platform.trim().toLowerCase(Locale.ROOT).equals("stripe")) {
            throw new ApiException(ErrorCode.INVALID_PLATFORM, platform == null
                    ? "Invalid Platform: send the header 'X-Platform: stripe' with Stripe receipts"
                    : "Invalid Platform '" + platform + "': this server takes Stripe receipts only (X-Platform: stripe)");
        }
        // Other fields RevenueCat's SDKs send (product_id, price, presented_offering_identifier…) are ignored:
        // for Stripe everything is read from Stripe itself.
        JsonBody body = Requests.jsonBody(ctx);
        JsonNode attributes = body.node().get("attributes");
        List<SubscriberAttributes.Change> changes = attributes == null || attributes.isNull() ? null
                : SubscriberAttributes.parse(attributes, System.currentTimeMillis());
        ReceiptService.Receipt receipt = new ReceiptService.Receipt(text(body, "app_user_id"),
                text(body, "fetch_token"), changes);
        ctx.status(200).contentType("application/json").result(Json.write(receipts.post(caller, receipt)));
    }

    private static String text(JsonBody body, String name) {
        JsonNode value = body.node().get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw ApiException.invalid("Field '" + name + "' must be a string");
        }
        return value.asText();
    }
}
