package io.substate.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.common.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builders of realistic Stripe objects for tests: the current (basil and later) shape by default, the shape of API
 * versions before 2025-03-31.basil with {@code prebasil()}. Numbers are sensible (periods follow the interval,
 * amounts add up), unlike Stripe's OpenAPI fixtures. {@code json()} gives a fresh node each time.
 */
public final class StripeObjects {
    public static final String BASIL_API_VERSION = "2025-03-31.basil";
    public static final String PREBASIL_API_VERSION = "2025-02-24.acacia";

    private StripeObjects() {}

    public static SubscriptionBuilder subscription(String id) {
        return new SubscriptionBuilder(id);
    }

    public static CheckoutSessionBuilder checkoutSession(String id) {
        return new CheckoutSessionBuilder(id);
    }

    public static InvoiceBuilder invoice(String id) {
        return new InvoiceBuilder(id);
    }

    public static ChargeBuilder charge(String id) {
        return new ChargeBuilder(id);
    }

    /** A succeeded PaymentIntent (basil: no {@code invoice} field; use invoice payments to find its invoice). */
    public static ObjectNode paymentIntent(String id, String customer, long amount, String latestCharge) {
        ObjectNode pi = Json.object();
        pi.put("id", id);
        pi.put("object", "payment_intent");
        pi.put("amount", amount);
        pi.put("amount_received", amount);
        pi.put("capture_method", "automatic");
        pi.put("created", now());
        pi.put("currency", "usd");
        pi.put("customer", customer);
        pi.put("latest_charge", latestCharge);
        pi.put("livemode", false);
        pi.putObject("metadata");
        pi.put("payment_method", "pm_card_visa");
        pi.putArray("payment_method_types").add("card");
        pi.put("status", "succeeded");
        return pi;
    }

    /** The list answered by {@code GET /v1/checkout/sessions/{id}/line_items}, with one item. */
    public static ObjectNode checkoutLineItems(String sessionId, String priceId, String productId, long unitAmount,
            String interval) {
        ObjectNode item = Json.object();
        item.put("id", "li_" + suffix(sessionId));
        item.put("object", "item");
        item.put("amount_discount", 0);
        item.put("amount_subtotal", unitAmount);
        item.put("amount_tax", 0);
        item.put("amount_total", unitAmount);
        item.put("currency", "usd");
        item.put("description", "Premium");
        item.set("price", priceJson(priceId, productId, unitAmount, "usd", interval, 1, false));
        item.put("quantity", 1);
        ObjectNode list = Json.object();
        list.put("object", "list");
        list.putArray("data").add(item);
        list.put("has_more", false);
        list.put("url", "/v1/checkout/sessions/" + sessionId + "/line_items");
        return list;
    }

    /** An event's JSON text as Stripe sends it, rendered at {@code apiVersion}. */
    public static String event(String id, String type, long created, JsonNode object, String apiVersion) {
        return event(id, type, created, object, null, apiVersion);
    }

    /** A {@code basil} event. */
    public static String event(String id, String type, long created, JsonNode object) {
        return event(id, type, created, object, null, BASIL_API_VERSION);
    }

    /** An event with {@code data.previous_attributes} (only {@code *.updated} events carry them). */
    public static String event(String id, String type, long created, JsonNode object, JsonNode previousAttributes,
            String apiVersion) {
        ObjectNode event = Json.object();
        event.put("id", id);
        event.put("object", "event");
        event.put("api_version", apiVersion);
        event.put("created", created);
        ObjectNode data = event.putObject("data");
        data.set("object", object);
        if (previousAttributes != null) {
            data.set("previous_attributes", previousAttributes);
        }
        event.put("livemode", object.path("livemode").asBoolean(false));
        event.put("pending_webhooks", 1);
        event.putObject("request").putNull("id").putNull("idempotency_key");
        event.put("type", type);
        return Json.write(event);
    }

    /** A Price as {@code GET /v1/prices/{id}} answers it; {@code interval} is null for a one-time price. */
    public static ObjectNode price(String id, String product, long unitAmount, String currency, String interval,
            int intervalCount) {
        return priceJson(id, product, unitAmount, currency, interval, intervalCount, false);
    }

    /** A Product as {@code GET /v1/products/{id}} answers it; {@code defaultPrice} is a price id, or null. */
    public static ObjectNode product(String id, String name, String defaultPrice) {
        ObjectNode product = Json.object();
        product.put("id", id);
        product.put("object", "product");
        product.put("active", true);
        product.put("created", 1735689600L);
        product.put("default_price", defaultPrice);
        product.putNull("description");
        product.putArray("images");
        product.put("livemode", false);
        product.putArray("marketing_features");
        product.putObject("metadata");
        product.put("name", name);
        product.putNull("statement_descriptor");
        product.put("tax_code", "txcd_10000000");
        product.put("type", "service");
        product.putNull("unit_label");
        product.put("updated", 1735689600L);
        product.putNull("url");
        return product;
    }

    static ObjectNode priceJson(String id, String product, long unitAmount, String currency, String interval,
            int intervalCount, boolean livemode) {
        ObjectNode price = Json.object();
        price.put("id", id);
        price.put("object", "price");
        price.put("active", true);
        price.put("billing_scheme", "per_unit");
        price.put("created", 1735689600L);
        price.put("currency", currency);
        price.put("livemode", livemode);
        price.putNull("lookup_key");
        price.putObject("metadata");
        price.putNull("nickname");
        price.put("product", product);
        if (interval == null) {
            price.putNull("recurring");
            price.put("type", "one_time");
        } else {
            ObjectNode recurring = price.putObject("recurring");
            recurring.put("interval", interval);
            recurring.put("interval_count", intervalCount);
            recurring.putNull("meter");
            recurring.putNull("trial_period_days");
            recurring.put("usage_type", "licensed");
            price.put("type", "recurring");
        }
        price.put("tax_behavior", "unspecified");
        price.put("unit_amount", unitAmount);
        price.put("unit_amount_decimal", Long.toString(unitAmount));
        return price;
    }

    static ObjectNode planJson(String id, String product, long amount, String currency, String interval,
            int intervalCount, boolean livemode) {
        ObjectNode plan = Json.object();
        plan.put("id", id);
        plan.put("object", "plan");
        plan.put("active", true);
        plan.put("amount", amount);
        plan.put("amount_decimal", Long.toString(amount));
        plan.put("billing_scheme", "per_unit");
        plan.put("created", 1735689600L);
        plan.put("currency", currency);
        plan.put("interval", interval);
        plan.put("interval_count", intervalCount);
        plan.put("livemode", livemode);
        plan.putObject("metadata");
        plan.putNull("nickname");
        plan.put("product", product);
        plan.put("usage_type", "licensed");
        return plan;
    }

    static long now() {
        return Instant.now().getEpochSecond();
    }

    static long periodEnd(long start, String interval, int count) {
        Duration one = switch (interval) {
            case "day" -> Duration.ofDays(1);
            case "week" -> Duration.ofDays(7);
            case "year" -> Duration.ofDays(365);
            default -> Duration.ofDays(30);
        };
        return start + one.multipliedBy(count).toSeconds();
    }

    static String suffix(String id) {
        int underscore = id.lastIndexOf('_');
        return underscore < 0 ? id : id.substring(underscore + 1);
    }

    static void putNullable(ObjectNode node, String field, Long value) {
        if (value == null) {
            node.putNull(field);
        } else {
            node.put(field, value);
        }
    }

    static ObjectNode putMetadata(ObjectNode parent, String field, Map<String, String> metadata) {
        ObjectNode node = parent.putObject(field);
        metadata.forEach(node::put);
        return node;
    }

    /** A subscription with one item; basil puts the period on the item, pre-basil on the subscription. */
    public static final class SubscriptionBuilder {
        private final String id;
        private String customer = "cus_TestCustomer1";
        private String status = "active";
        private String priceId = "price_premium_monthly";
        private String productId = "prod_premium";
        private long unitAmount = 999;
        private String currency = "usd";
        private String interval = "month";
        private int intervalCount = 1;
        private long created = now();
        private Long periodStart;
        private Long periodEnd;
        private Long trialStart;
        private Long trialEnd;
        private boolean cancelAtPeriodEnd;
        private Long cancelAt;
        private Long canceledAt;
        private Long endedAt;
        private String cancellationReason;
        private String latestInvoice;
        private String pauseBehavior;
        private boolean livemode;
        private boolean prebasil;
        private final Map<String, String> metadata = new LinkedHashMap<>();

        private SubscriptionBuilder(String id) {
            this.id = id;
        }

        public SubscriptionBuilder customer(String customer) {
            this.customer = customer;
            return this;
        }

        public SubscriptionBuilder status(String status) {
            this.status = status;
            return this;
        }

        public SubscriptionBuilder price(String priceId, String productId) {
            this.priceId = priceId;
            this.productId = productId;
            return this;
        }

        public SubscriptionBuilder amount(long unitAmount, String currency) {
            this.unitAmount = unitAmount;
            this.currency = currency;
            return this;
        }

        /** {@code day | week | month | year}; the default period follows it. */
        public SubscriptionBuilder interval(String interval, int count) {
            this.interval = interval;
            this.intervalCount = count;
            return this;
        }

        public SubscriptionBuilder created(long epochSeconds) {
            this.created = epochSeconds;
            return this;
        }

        /** The current billing period; by default it starts at {@code created} and lasts one interval. */
        public SubscriptionBuilder period(long start, long end) {
            this.periodStart = start;
            this.periodEnd = end;
            return this;
        }

        /** A trial: also sets status {@code trialing} and the current period to the trial. */
        public SubscriptionBuilder trial(long start, long end) {
            this.trialStart = start;
            this.trialEnd = end;
            this.status = "trialing";
            return period(start, end);
        }

        public SubscriptionBuilder cancelAtPeriodEnd(boolean cancelAtPeriodEnd) {
            this.cancelAtPeriodEnd = cancelAtPeriodEnd;
            return this;
        }

        /** {@code cancel_at} (flexible billing / portal cancellations set this instead of cancel_at_period_end). */
        public SubscriptionBuilder cancelAt(Long epochSeconds) {
            this.cancelAt = epochSeconds;
            return this;
        }

        /** Canceled now: status {@code canceled}, {@code canceled_at} and {@code ended_at} set. */
        public SubscriptionBuilder canceled(long at, String reason) {
            this.status = "canceled";
            this.canceledAt = at;
            this.endedAt = at;
            this.cancellationReason = reason;
            return this;
        }

        public SubscriptionBuilder latestInvoice(String invoiceId) {
            this.latestInvoice = invoiceId;
            return this;
        }

        /** {@code pause_collection.behavior} ({@code keep_as_draft | mark_uncollectible | void}), status unchanged. */
        public SubscriptionBuilder pauseCollection(String behavior) {
            this.pauseBehavior = behavior;
            return this;
        }

        public SubscriptionBuilder metadata(String key, String value) {
            metadata.put(key, value);
            return this;
        }

        public SubscriptionBuilder livemode(boolean livemode) {
            this.livemode = livemode;
            return this;
        }

        /** The shape of API versions before 2025-03-31.basil. */
        public SubscriptionBuilder prebasil() {
            this.prebasil = true;
            return this;
        }

        public ObjectNode json() {
            long start = periodStart != null ? periodStart : created;
            long end = periodEnd != null ? periodEnd : StripeObjects.periodEnd(start, interval, intervalCount);
            ObjectNode sub = Json.object();
            sub.put("id", id);
            sub.put("object", "subscription");
            sub.putNull("application");
            sub.put("billing_cycle_anchor", start);
            if (!prebasil) {
                sub.putObject("billing_mode").put("type", "flexible").putObject("flexible")
                        .put("proration_discounts", "included");
            }
            putNullable(sub, "cancel_at", cancelAt);
            sub.put("cancel_at_period_end", cancelAtPeriodEnd);
            putNullable(sub, "canceled_at", canceledAt);
            ObjectNode details = sub.putObject("cancellation_details");
            details.putNull("comment");
            details.putNull("feedback");
            details.put("reason", cancellationReason);
            sub.put("collection_method", "charge_automatically");
            sub.put("created", created);
            sub.put("currency", currency);
            if (prebasil) {
                sub.put("current_period_end", end);
                sub.put("current_period_start", start);
            }
            sub.put("customer", customer);
            sub.put("default_payment_method", "pm_card_visa");
            if (prebasil) {
                sub.putNull("discount");
            }
            sub.putArray("discounts");
            putNullable(sub, "ended_at", endedAt);
            ObjectNode items = sub.putObject("items");
            items.put("object", "list");
            items.putArray("data").add(item(start, end));
            items.put("has_more", false);
            items.put("total_count", 1);
            items.put("url", "/v1/subscription_items?subscription=" + id);
            sub.put("latest_invoice", latestInvoice);
            sub.put("livemode", livemode);
            putMetadata(sub, "metadata", metadata);
            if (pauseBehavior == null) {
                sub.putNull("pause_collection");
            } else {
                sub.putObject("pause_collection").put("behavior", pauseBehavior).putNull("resumes_at");
            }
            if (prebasil) {
                sub.set("plan", planJson(priceId, productId, unitAmount, currency, interval, intervalCount, livemode));
                sub.put("quantity", 1);
            }
            sub.putNull("schedule");
            sub.put("start_date", created);
            sub.put("status", status);
            sub.putNull("test_clock");
            putNullable(sub, "trial_end", trialEnd);
            putNullable(sub, "trial_start", trialStart);
            return sub;
        }

        private ObjectNode item(long start, long end) {
            ObjectNode item = Json.object();
            item.put("id", "si_" + suffix(id));
            item.put("object", "subscription_item");
            item.put("created", created);
            if (!prebasil) {
                item.put("current_period_end", end);
                item.put("current_period_start", start);
            }
            item.putArray("discounts");
            item.putObject("metadata");
            item.set("plan", planJson(priceId, productId, unitAmount, currency, interval, intervalCount, livemode));
            item.set("price", priceJson(priceId, productId, unitAmount, currency, interval, intervalCount, livemode));
            item.put("quantity", 1);
            item.put("subscription", id);
            item.putArray("tax_rates");
            return item;
        }
    }

    /** A completed Checkout Session; payment mode unless {@link #subscription(String)} is set. */
    public static final class CheckoutSessionBuilder {
        private final String id;
        private String customer = "cus_TestCustomer1";
        private String customerEmail = "buyer@example.com";
        private String subscription;
        private String paymentIntent;
        private String invoice;
        private String status = "complete";
        private String paymentStatus = "paid";
        private long amountTotal = 999;
        private String currency = "usd";
        private String clientReferenceId;
        private long created = now();
        private boolean livemode;
        private boolean prebasil;
        private final Map<String, String> metadata = new LinkedHashMap<>();

        private CheckoutSessionBuilder(String id) {
            this.id = id;
        }

        /** Null for a guest checkout. */
        public CheckoutSessionBuilder customer(String customer) {
            this.customer = customer;
            return this;
        }

        public CheckoutSessionBuilder customerEmail(String email) {
            this.customerEmail = email;
            return this;
        }

        /** Subscription mode: the session created this subscription. */
        public CheckoutSessionBuilder subscription(String subscriptionId) {
            this.subscription = subscriptionId;
            return this;
        }

        /** Payment mode: the one-time payment's PaymentIntent. */
        public CheckoutSessionBuilder paymentIntent(String paymentIntentId) {
            this.paymentIntent = paymentIntentId;
            return this;
        }

        public CheckoutSessionBuilder invoice(String invoiceId) {
            this.invoice = invoiceId;
            return this;
        }

        /** {@code open | complete | expired} and {@code paid | unpaid | no_payment_required}. */
        public CheckoutSessionBuilder status(String status, String paymentStatus) {
            this.status = status;
            this.paymentStatus = paymentStatus;
            return this;
        }

        public CheckoutSessionBuilder amount(long amountTotal, String currency) {
            this.amountTotal = amountTotal;
            this.currency = currency;
            return this;
        }

        public CheckoutSessionBuilder clientReferenceId(String clientReferenceId) {
            this.clientReferenceId = clientReferenceId;
            return this;
        }

        public CheckoutSessionBuilder created(long epochSeconds) {
            this.created = epochSeconds;
            return this;
        }

        public CheckoutSessionBuilder metadata(String key, String value) {
            metadata.put(key, value);
            return this;
        }

        public CheckoutSessionBuilder livemode(boolean livemode) {
            this.livemode = livemode;
            return this;
        }

        public CheckoutSessionBuilder prebasil() {
            this.prebasil = true;
            return this;
        }

        public ObjectNode json() {
            ObjectNode session = Json.object();
            session.put("id", id);
            session.put("object", "checkout.session");
            session.put("amount_subtotal", amountTotal);
            session.put("amount_total", amountTotal);
            session.put("cancel_url", "https://shop.example/cancel");
            session.put("client_reference_id", clientReferenceId);
            session.put("created", created);
            session.put("currency", currency);
            session.put("customer", customer);
            session.put("customer_creation", customer == null ? null : "always");
            ObjectNode details = session.putObject("customer_details");
            details.putNull("address");
            details.put("email", customerEmail);
            details.put("name", "Test Buyer");
            details.putNull("phone");
            details.put("tax_exempt", "none");
            details.putArray("tax_ids");
            session.putNull("customer_email");
            session.put("expires_at", created + Duration.ofHours(24).toSeconds());
            session.put("invoice", invoice);
            session.put("livemode", livemode);
            putMetadata(session, "metadata", metadata);
            session.put("mode", subscription != null ? "subscription" : "payment");
            session.put("payment_intent", subscription != null ? null : paymentIntent);
            session.putArray("payment_method_types").add("card");
            session.put("payment_status", paymentStatus);
            session.putNull("setup_intent");
            if (prebasil) {
                session.putNull("shipping_details");
            }
            session.put("status", status);
            session.put("subscription", subscription);
            session.put("success_url", "https://shop.example/success");
            session.putNull("url");
            return session;
        }
    }

    /** An invoice with one line; basil links the subscription through {@code parent}, pre-basil directly. */
    public static final class InvoiceBuilder {
        private final String id;
        private String customer = "cus_TestCustomer1";
        private String subscription;
        private String status = "paid";
        private String billingReason = "subscription_cycle";
        private long amount = 999;
        private String currency = "usd";
        private String priceId = "price_premium_monthly";
        private String productId = "prod_premium";
        private String interval = "month";
        private long created = now();
        private Long periodStart;
        private Long periodEnd;
        private String charge;
        private String paymentIntent;
        private boolean livemode;
        private boolean prebasil;
        private final Map<String, String> subscriptionMetadata = new LinkedHashMap<>();

        private InvoiceBuilder(String id) {
            this.id = id;
        }

        public InvoiceBuilder customer(String customer) {
            this.customer = customer;
            return this;
        }

        public InvoiceBuilder subscription(String subscriptionId) {
            this.subscription = subscriptionId;
            return this;
        }

        /** {@code draft | open | paid | uncollectible | void}. */
        public InvoiceBuilder status(String status) {
            this.status = status;
            return this;
        }

        public InvoiceBuilder billingReason(String billingReason) {
            this.billingReason = billingReason;
            return this;
        }

        public InvoiceBuilder amount(long amount, String currency) {
            this.amount = amount;
            this.currency = currency;
            return this;
        }

        public InvoiceBuilder price(String priceId, String productId, String interval) {
            this.priceId = priceId;
            this.productId = productId;
            this.interval = interval;
            return this;
        }

        public InvoiceBuilder created(long epochSeconds) {
            this.created = epochSeconds;
            return this;
        }

        /** The service period of the line (not the invoice's own period_start/period_end). */
        public InvoiceBuilder linePeriod(long start, long end) {
            this.periodStart = start;
            this.periodEnd = end;
            return this;
        }

        /** Pre-basil only: basil invoices do not name their charge or PaymentIntent. */
        public InvoiceBuilder payment(String chargeId, String paymentIntentId) {
            this.charge = chargeId;
            this.paymentIntent = paymentIntentId;
            return this;
        }

        public InvoiceBuilder subscriptionMetadata(String key, String value) {
            subscriptionMetadata.put(key, value);
            return this;
        }

        public InvoiceBuilder livemode(boolean livemode) {
            this.livemode = livemode;
            return this;
        }

        public InvoiceBuilder prebasil() {
            this.prebasil = true;
            return this;
        }

        public ObjectNode json() {
            boolean paid = status.equals("paid");
            long start = periodStart != null ? periodStart : created;
            long end = periodEnd != null ? periodEnd : StripeObjects.periodEnd(start, interval, 1);
            ObjectNode invoice = Json.object();
            invoice.put("id", id);
            invoice.put("object", "invoice");
            invoice.put("account_country", "US");
            invoice.put("amount_due", amount);
            if (!prebasil) {
                invoice.put("amount_overpaid", 0);
            }
            invoice.put("amount_paid", paid ? amount : 0);
            invoice.put("amount_remaining", paid ? 0 : amount);
            invoice.put("attempt_count", paid ? 1 : 0);
            invoice.put("attempted", paid);
            invoice.put("billing_reason", billingReason);
            if (prebasil) {
                invoice.put("charge", charge);
            }
            invoice.put("collection_method", "charge_automatically");
            invoice.put("created", created);
            invoice.put("currency", currency);
            invoice.put("customer", customer);
            invoice.put("customer_email", "buyer@example.com");
            if (prebasil) {
                invoice.putNull("discount");
            }
            invoice.putArray("discounts");
            invoice.put("hosted_invoice_url", "https://invoice.stripe.com/i/" + id);
            ObjectNode lines = invoice.putObject("lines");
            lines.put("object", "list");
            lines.putArray("data").add(line(start, end));
            lines.put("has_more", false);
            lines.put("total_count", 1);
            lines.put("url", "/v1/invoices/" + id + "/lines");
            invoice.put("livemode", livemode);
            invoice.putObject("metadata");
            invoice.put("number", "FAKE-" + suffix(id).toUpperCase(java.util.Locale.ROOT));
            if (prebasil) {
                invoice.put("paid", paid);
                invoice.put("paid_out_of_band", false);
                invoice.put("payment_intent", paymentIntent);
            } else if (subscription == null) {
                invoice.putNull("parent");
            } else {
                ObjectNode parent = invoice.putObject("parent");
                parent.putNull("quote_details");
                ObjectNode details = parent.putObject("subscription_details");
                putMetadata(details, "metadata", subscriptionMetadata);
                details.put("subscription", subscription);
                parent.put("type", "subscription_details");
            }
            invoice.put("period_end", created);
            invoice.put("period_start", created);
            invoice.put("status", status);
            ObjectNode transitions = invoice.putObject("status_transitions");
            transitions.put("finalized_at", created);
            transitions.putNull("marked_uncollectible_at");
            putNullable(transitions, "paid_at", paid ? created : null);
            transitions.putNull("voided_at");
            if (prebasil) {
                invoice.put("subscription", subscription);
                putMetadata(invoice.putObject("subscription_details"), "metadata", subscriptionMetadata);
            }
            invoice.put("subtotal", amount);
            invoice.put("total", amount);
            return invoice;
        }

        private ObjectNode line(long start, long end) {
            ObjectNode line = Json.object();
            line.put("id", "il_" + suffix(id));
            line.put("object", "line_item");
            line.put("amount", amount);
            line.put("currency", currency);
            line.put("description", "1 × Premium");
            line.putArray("discount_amounts");
            line.put("discountable", true);
            line.putArray("discounts");
            line.put("invoice", id);
            line.put("livemode", livemode);
            line.putObject("metadata");
            String subscriptionItem = subscription == null ? null : "si_" + suffix(subscription);
            if (prebasil) {
                line.set("plan", planJson(priceId, productId, amount, currency, interval, 1, livemode));
                line.set("price", priceJson(priceId, productId, amount, currency, interval, 1, livemode));
                line.put("proration", false);
                line.put("subscription", subscription);
                line.put("subscription_item", subscriptionItem);
                line.put("type", subscription == null ? "invoiceitem" : "subscription");
            } else {
                ObjectNode parent = line.putObject("parent");
                parent.putNull("invoice_item_details");
                if (subscription == null) {
                    parent.putNull("subscription_item_details");
                    parent.put("type", "invoice_item_details");
                } else {
                    ObjectNode details = parent.putObject("subscription_item_details");
                    details.putNull("invoice_item");
                    details.put("proration", false);
                    details.putObject("proration_details").putNull("credited_items");
                    details.put("subscription", subscription);
                    details.put("subscription_item", subscriptionItem);
                    parent.put("type", "subscription_item_details");
                }
                ObjectNode pricing = line.putObject("pricing");
                pricing.putObject("price_details").put("price", priceId).put("product", productId);
                pricing.put("type", "price_details");
                pricing.put("unit_amount_decimal", Long.toString(amount));
            }
            ObjectNode period = line.putObject("period");
            period.put("end", end);
            period.put("start", start);
            line.put("quantity", 1);
            return line;
        }
    }

    /** A succeeded card charge; {@code invoice} exists only pre-basil. */
    public static final class ChargeBuilder {
        private final String id;
        private String customer = "cus_TestCustomer1";
        private String paymentIntent;
        private String invoice;
        private long amount = 999;
        private long amountRefunded;
        private String currency = "usd";
        private long created = now();
        private boolean livemode;
        private boolean prebasil;

        private ChargeBuilder(String id) {
            this.id = id;
        }

        public ChargeBuilder customer(String customer) {
            this.customer = customer;
            return this;
        }

        public ChargeBuilder paymentIntent(String paymentIntentId) {
            this.paymentIntent = paymentIntentId;
            return this;
        }

        /** Pre-basil only (basil removed {@code charge.invoice}). */
        public ChargeBuilder invoice(String invoiceId) {
            this.invoice = invoiceId;
            return this;
        }

        public ChargeBuilder amount(long amount, String currency) {
            this.amount = amount;
            this.currency = currency;
            return this;
        }

        /** Refunds this much; {@code refunded} becomes true only when everything is refunded, as in Stripe. */
        public ChargeBuilder refunded(long amountRefunded) {
            this.amountRefunded = amountRefunded;
            return this;
        }

        public ChargeBuilder created(long epochSeconds) {
            this.created = epochSeconds;
            return this;
        }

        public ChargeBuilder livemode(boolean livemode) {
            this.livemode = livemode;
            return this;
        }

        public ChargeBuilder prebasil() {
            this.prebasil = true;
            return this;
        }

        public ObjectNode json() {
            ObjectNode charge = Json.object();
            charge.put("id", id);
            charge.put("object", "charge");
            charge.put("amount", amount);
            charge.put("amount_captured", amount);
            charge.put("amount_refunded", amountRefunded);
            charge.put("captured", true);
            charge.put("created", created);
            charge.put("currency", currency);
            charge.put("customer", customer);
            charge.put("description", "Subscription update");
            charge.put("disputed", false);
            if (prebasil) {
                charge.put("invoice", invoice);
            }
            charge.put("livemode", livemode);
            charge.putObject("metadata");
            charge.put("paid", true);
            charge.put("payment_intent", paymentIntent);
            charge.put("payment_method", "pm_card_visa");
            charge.put("refunded", amountRefunded > 0 && amountRefunded >= amount);
            ArrayNode none = Json.MAPPER.createArrayNode();
            ObjectNode refunds = charge.putObject("refunds");
            refunds.put("object", "list");
            refunds.set("data", none);
            refunds.put("has_more", false);
            refunds.put("url", "/v1/charges/" + id + "/refunds");
            charge.put("status", "succeeded");
            return charge;
        }
    }
}
