package io.substate.subscriptions;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.charts.ChartFacts;
import io.substate.common.Json;
import io.substate.config.UsdRates;
import io.substate.entitlements.Entitlement;
import io.substate.purchases.EventDetails;
import io.substate.purchases.PurchaseState;
import io.substate.purchases.PurchaseState.PaidInvoice;
import io.substate.purchases.StoredPurchase;
import java.math.BigDecimal;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A Substate purchase in RevenueCat API v2's shapes: a Stripe subscription as a {@code subscription}, a one-time
 * Checkout payment as a {@code purchase}, a subscription's paid invoices as {@code subscription_transaction}s. How
 * each field is derived from Stripe, and where it differs from RevenueCat, is in the README ("Subscriptions and
 * purchases (API v2)").
 */
final class SubscriptionJson {
    static final String STORE = "stripe";

    /** Stripe statuses after which the subscription will neither renew nor charge again. */
    static final Set<String> ENDED = Set.of("canceled", "incomplete_expired");

    private SubscriptionJson() {}

    /**
     * What a purchase's JSON names besides its own state, read with it.
     *
     * @param appUserId the owner's App User ID, null for a purchase without owner
     * @param productId Substate's id of the purchase's product, null when the product is not configured
     */
    record Related(String appUserId, String productId, List<Entitlement> entitlements, String managementUrl) {}

    static ObjectNode subscription(StoredPurchase p, Related related, UsdRates rates, long now) {
        PurchaseState s = p.state();
        ObjectNode node = head("subscription", p, related);
        node.set("starts_at", Json.MAPPER.valueToTree(
                s.originalPurchasedAt() != null ? s.originalPurchasedAt() : s.purchasedAt()));
        node.set("current_period_starts_at", Json.MAPPER.valueToTree(s.purchasedAt()));
        node.set("current_period_ends_at", Json.MAPPER.valueToTree(s.expiresAt()));
        node.set("ends_at", Json.MAPPER.valueToTree(s.expiresAt()));
        node.put("gives_access", s.grantsAccess(now));
        node.put("pending_payment", Set.of("incomplete", "past_due", "unpaid").contains(String.valueOf(s.status())));
        node.put("auto_renewal_status", willRenew(s) ? "will_renew" : "will_not_renew");
        node.put("status", status(s, now));
        node.set("total_revenue_in_usd", revenue(ChartFacts.transactions(s), rates));
        node.put("presented_offering_id", EventDetails.presentedOfferingId(s));
        node.set("entitlements", entitlements(related.entitlements(),
                "/v2/projects/" + p.projectId() + "/subscriptions/" + p.id() + "/entitlements"));
        node.put("environment", environment(s));
        node.put("store", STORE);
        node.put("store_subscription_identifier", p.token());
        node.put("ownership", "purchased");
        node.putNull("pending_changes");
        node.put("country", EventDetails.countryCode(s));
        node.put("management_url", related.managementUrl());
        return node;
    }

    static ObjectNode purchase(StoredPurchase p, Related related, UsdRates rates) {
        PurchaseState s = p.state();
        ObjectNode node = head("purchase", p, related);
        node.set("purchased_at", Json.MAPPER.valueToTree(s.purchasedAt()));
        node.set("revenue_in_usd", revenue(ChartFacts.transactions(s), rates));
        node.put("quantity", 1);
        node.put("status", s.refundedAt() != null ? "refunded" : "owned");
        node.put("presented_offering_id", EventDetails.presentedOfferingId(s));
        node.set("entitlements", entitlements(related.entitlements(),
                "/v2/projects/" + p.projectId() + "/purchases/" + p.id() + "/entitlements"));
        node.put("environment", environment(s));
        node.put("store", STORE);
        node.put("store_purchase_identifier", p.token());
        node.put("ownership", "purchased");
        node.put("country", EventDetails.countryCode(s));
        return node;
    }

    /** The fields a subscription and a purchase begin with: what it is, and whose, of which product. */
    private static ObjectNode head(String object, StoredPurchase p, Related related) {
        ObjectNode node = Json.object();
        node.put("object", object);
        node.put("id", p.id());
        node.put("customer_id", related.appUserId());
        // Substate keeps no record of transfers: the original customer is the current one.
        node.put("original_customer_id", related.appUserId());
        node.put("product_id", related.productId());
        return node;
    }

    /**
     * RevenueCat's status from Stripe's: {@code past_due} is a grace period while the paid period lasts and billing
     * retry after it; {@code unpaid} is billing retry; ended subscriptions, and those whose period passed without a
     * renewal, are expired.
     */
    static String status(PurchaseState s, long now) {
        String stripe = s.status();
        if (stripe == null) {
            return "unknown";
        }
        boolean periodLeft = s.expiresAt() != null && now < s.expiresAt();
        return switch (stripe) {
            case "trialing" -> periodLeft ? "trialing" : "expired";
            case "active" -> periodLeft ? "active" : "expired";
            case "past_due" -> periodLeft ? "in_grace_period" : "in_billing_retry";
            case "unpaid" -> "in_billing_retry";
            case "paused" -> "paused";
            case "incomplete" -> "incomplete";
            case "canceled", "incomplete_expired" -> "expired";
            default -> "unknown";
        };
    }

    static boolean willRenew(PurchaseState s) {
        return s.unsubscribeDetectedAt() == null && !ENDED.contains(String.valueOf(s.status()))
                && !"paused".equals(s.status()) && !"unpaid".equals(s.status());
    }

    /**
     * The subscription's paid invoices, oldest first, with what each brought in. The $0 invoice that starts a trial
     * is one too (RevenueCat lists a trial's transaction).
     */
    static List<ObjectNode> transactions(StoredPurchase p, UsdRates rates) {
        Map<String, ChartFacts.Transaction> paid = ChartFacts.transactions(p.state()).stream()
                .collect(Collectors.toMap(ChartFacts.Transaction::id, Function.identity(), (a, b) -> a));
        return p.state().history().paidInvoices().stream()
                .sorted(Comparator.comparingLong(PaidInvoice::created).thenComparing(PaidInvoice::invoiceId))
                .map(invoice -> transaction(p, invoice, paid.get(invoice.invoiceId()), rates))
                .toList();
    }

    private static ObjectNode transaction(StoredPurchase p, PaidInvoice invoice, ChartFacts.Transaction facts,
            UsdRates rates) {
        ObjectNode node = Json.object();
        node.put("object", "subscription_transaction");
        node.put("id", invoice.invoiceId());
        node.put("purchased_at", invoice.created() * 1000);
        node.put("product_store_identifier", invoice.productId() != null ? invoice.productId() : p.state().productId());
        Long end = invoice.periodEnd() == null ? null : invoice.periodEnd() * 1000;
        node.set("expiration_date", Json.MAPPER.valueToTree(end));
        node.set("effective_expiration_date", Json.MAPPER.valueToTree(end));
        // Substate's additions: what the invoice brought in after refunds, and when it was refunded.
        node.set("revenue_in_usd", revenue(facts == null ? List.of() : List.of(facts), rates));
        node.set("refunded_at", Json.MAPPER.valueToTree(facts == null ? null : facts.refundedAt()));
        return node;
    }

    /**
     * RevenueCat's monetary amount in USD: what was paid less what was refunded. Stripe's fees and taxes are not
     * read (they live in balance transactions and Stripe Tax), so commission and tax are 0 and proceeds equal gross.
     */
    static ObjectNode revenue(List<ChartFacts.Transaction> transactions, UsdRates rates) {
        BigDecimal gross = BigDecimal.ZERO.setScale(2);
        for (ChartFacts.Transaction t : transactions) {
            BigDecimal usd = rates.toUsd(t.amountMinor() - t.refundedAmountMinor(), t.currency());
            if (usd != null) {
                gross = gross.add(usd);
            }
        }
        ObjectNode node = Json.object();
        node.put("currency", "USD");
        node.put("gross", gross);
        node.put("commission", BigDecimal.ZERO);
        node.put("tax", BigDecimal.ZERO);
        node.put("proceeds", gross);
        return node;
    }

    /** The entitlements a purchase's product unlocks: every one fits in the first page. */
    private static ObjectNode entitlements(List<Entitlement> entitlements, String url) {
        ObjectNode list = Json.object();
        list.put("object", "list");
        ArrayNode items = list.putArray("items");
        entitlements.forEach(e -> items.add(entitlement(e)));
        list.putNull("next_page");
        list.put("url", url);
        return list;
    }

    static ObjectNode entitlement(Entitlement e) {
        ObjectNode node = Json.object();
        node.put("object", "entitlement");
        node.put("project_id", e.projectId());
        node.put("id", e.id());
        node.put("lookup_key", e.lookupKey());
        node.put("display_name", e.displayName());
        node.put("created_at", e.createdAt());
        return node;
    }

    private static String environment(PurchaseState s) {
        return s.livemode() ? "production" : "sandbox";
    }
}
