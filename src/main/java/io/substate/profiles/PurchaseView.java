package io.substate.profiles;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.common.Json;
import io.substate.purchases.PurchaseState;
import io.substate.purchases.StoredPurchase;
import java.util.Locale;

/** One purchase as operators see it: in a customer's profile, and as the answer of the refresh action. */
public final class PurchaseView {
    private PurchaseView() {}

    public static ObjectNode render(StoredPurchase p, long now) {
        PurchaseState s = p.state();
        ObjectNode node = Json.object();
        node.put("id", p.id());
        node.put("app_id", p.appId());
        node.put("store_token", p.token());
        node.put("kind", String.valueOf(s.kind()).toLowerCase(Locale.ROOT));
        node.put("status", s.status());
        node.put("product_id", s.productId());
        node.put("period_type", String.valueOf(s.periodType()).toLowerCase(Locale.ROOT));
        node.set("purchased_at", Json.MAPPER.valueToTree(s.purchasedAt()));
        node.set("original_purchased_at", Json.MAPPER.valueToTree(s.originalPurchasedAt()));
        node.set("expires_at", Json.MAPPER.valueToTree(s.expiresAt()));
        node.set("unsubscribe_detected_at", Json.MAPPER.valueToTree(s.unsubscribeDetectedAt()));
        node.set("billing_issues_detected_at", Json.MAPPER.valueToTree(s.billingIssuesDetectedAt()));
        node.set("refunded_at", Json.MAPPER.valueToTree(s.refundedAt()));
        node.put("environment", s.livemode() ? "production" : "sandbox");
        node.put("grants_access", s.grantsAccess(now));
        return node;
    }
}
