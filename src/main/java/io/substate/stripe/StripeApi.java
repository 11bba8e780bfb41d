package io.substate.stripe;

import com.fasterxml.jackson.databind.JsonNode;
import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.model.Event;
import com.stripe.model.StripeCollection;
import com.stripe.model.StripeObject;
import com.stripe.net.ApiResource;
import com.stripe.net.StripeResponse;
import com.stripe.param.EventListParams;
import com.stripe.param.ProductRetrieveParams;
import com.stripe.param.RefundCreateParams;
import com.stripe.param.SubscriptionCancelParams;
import com.stripe.param.SubscriptionUpdateParams;
import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import io.substate.common.Json;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads Stripe objects with one app's API key, through stripe-java, and hands back Stripe's raw JSON: the state
 * rules parse old and new Stripe shapes themselves, so nothing here depends on stripe-java's typed models.
 *
 * <p>Every failure becomes an {@link ApiException} with a {@code STRIPE_*} code. Network retries are off: the caller
 * decides when to retry. Instances are immutable and thread-safe; creating one is cheap (no connection is opened
 * until a call), so create one per call or cache one per API key, whichever is simpler for the caller.
 */
public final class StripeApi {
    /** Used when the caller has no better idea; Stripe's own default read timeout is 80 s, far too long for us. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_PAGE = 100;
    /** The names of a restricted key's permissions as Stripe's dashboard shows them. */
    static final String SUBSCRIPTIONS_WRITE = "Subscriptions: Write";
    static final String REFUNDS_WRITE = "Refunds: Write";

    private final StripeClient client;
    private final String apiKey;

    public StripeApi(String apiBase, String apiKey, Duration timeout) {
        Objects.requireNonNull(apiBase, "apiBase");
        Objects.requireNonNull(apiKey, "apiKey");
        int timeoutMillis = Math.toIntExact(Math.max(1, timeout.toMillis()));
        this.apiKey = apiKey;
        this.client = StripeClient.builder()
                .setApiBase(stripTrailingSlash(apiBase))
                .setApiKey(apiKey)
                .setMaxNetworkRetries(0)
                .setConnectTimeout(timeoutMillis)
                .setReadTimeout(timeoutMillis)
                .build();
    }

    /** A client for an app, or {@code STRIPE_API_KEY_NOT_CONFIGURED} when the app has no Stripe API key. */
    public static StripeApi forApp(String apiBase, String apiKeyOrNull) {
        if (apiKeyOrNull == null || apiKeyOrNull.isBlank()) {
            throw new ApiException(ErrorCode.STRIPE_API_KEY_NOT_CONFIGURED, "The app has no Stripe API key, so Substate"
                    + " cannot read objects from Stripe; set stripe.api_key on the app to a restricted key rk_… with"
                    + " read access to Subscriptions, Checkout Sessions, Invoices, Charges, Payment Intents and Events");
        }
        return new StripeApi(apiBase, apiKeyOrNull.trim(), DEFAULT_TIMEOUT);
    }

    /** Whether the key is a live-mode key; Stripe encodes the mode in the key prefix. */
    public boolean livemode() {
        return apiKey.startsWith("sk_live_") || apiKey.startsWith("rk_live_");
    }

    /** {@code GET /v1/subscriptions/{id}}. */
    public JsonNode subscription(String id) {
        return get("subscription '" + id + "'", "/v1/subscriptions/" + segment(id));
    }

    /** {@code GET /v1/checkout/sessions/{id}}. */
    public JsonNode checkoutSession(String id) {
        return get("checkout session '" + id + "'", "/v1/checkout/sessions/" + segment(id));
    }

    /** {@code GET /v1/checkout/sessions/{id}/line_items}: the list object (Stripe's first page). */
    public JsonNode checkoutSessionLineItems(String id) {
        return get("line items of checkout session '" + id + "'",
                "/v1/checkout/sessions/" + segment(id) + "/line_items");
    }

    /** {@code GET /v1/invoices/{id}}. */
    public JsonNode invoice(String id) {
        return get("invoice '" + id + "'", "/v1/invoices/" + segment(id));
    }

    /** {@code GET /v1/charges/{id}}. */
    public JsonNode charge(String id) {
        return get("charge '" + id + "'", "/v1/charges/" + segment(id));
    }

    /** {@code GET /v1/payment_intents/{id}}. */
    public JsonNode paymentIntent(String id) {
        return get("payment intent '" + id + "'", "/v1/payment_intents/" + segment(id));
    }

    /**
     * The invoice a PaymentIntent paid, via {@code GET /v1/invoice_payments} (since API 2025-03-31.basil charges and
     * payment intents no longer name their invoice). Empty when the payment paid no invoice (a one-time Checkout).
     */
    public Optional<String> invoiceIdForPaymentIntent(String paymentIntentId) {
        JsonNode list = get("invoice payments of payment intent '" + paymentIntentId + "'", "/v1/invoice_payments",
                "payment[type]", "payment_intent", "payment[payment_intent]", paymentIntentId, "limit", "1");
        JsonNode invoice = list.path("data").path(0).path("invoice");
        if (invoice.isTextual()) {
            return Optional.of(invoice.asText());
        }
        // An expanded invoice is an object; keep its id.
        return invoice.path("id").isTextual() ? Optional.of(invoice.path("id").asText()) : Optional.empty();
    }

    /**
     * The PaymentIntent that paid an invoice, via {@code GET /v1/invoice_payments?invoice=…} (since API
     * 2025-03-31.basil invoices no longer name their charge or payment intent); empty when none paid it.
     */
    public Optional<String> paymentIntentForInvoice(String invoiceId) {
        JsonNode list = get("invoice payments of invoice '" + invoiceId + "'", "/v1/invoice_payments",
                "invoice", invoiceId, "limit", "1");
        JsonNode payment = list.path("data").path(0).path("payment");
        return text(payment.path("payment_intent")).or(() -> text(payment.path("payment_intent").path("id")));
    }

    /**
     * Stripe's fee on an invoice's payment, in the currency of the balance it settled in, from the payment's balance
     * transaction: {@code GET /v1/charges/{id}?expand[]=balance_transaction} when the invoice names its charge (before
     * basil), else the payment intent's {@code latest_charge.balance_transaction} (found through invoice payments on
     * basil). Empty when no payment or balance transaction exists yet. Needs read access to Charges, Payment Intents,
     * Invoices and Balance (balance transactions).
     *
     * @return the fee and the amount it is on (the balance transaction's {@code amount}), minor units
     */
    public Optional<PaymentFee> paymentFee(String chargeId, String paymentIntentId, String invoiceId) {
        JsonNode transaction;
        if (chargeId != null) {
            transaction = get("charge '" + chargeId + "' with its balance transaction",
                    "/v1/charges/" + segment(chargeId), "expand[]", "balance_transaction").path("balance_transaction");
        } else {
            String intent = paymentIntentId != null ? paymentIntentId
                    : invoiceId == null ? null : paymentIntentForInvoice(invoiceId).orElse(null);
            if (intent == null) {
                return Optional.empty();
            }
            transaction = get("payment intent '" + intent + "' with its charge's balance transaction",
                    "/v1/payment_intents/" + segment(intent), "expand[]", "latest_charge.balance_transaction")
                    .path("latest_charge").path("balance_transaction");
        }
        if (!transaction.path("fee").isIntegralNumber() || !transaction.path("amount").isIntegralNumber()) {
            return Optional.empty();
        }
        return Optional.of(new PaymentFee(transaction.path("fee").asLong(), transaction.path("amount").asLong()));
    }

    /**
     * The offer code of an invoice whose discounts the event named only by id: {@code GET /v1/invoices/{id}} with
     * {@code expand[]=discounts.promotion_code} (the promotion code typed, else the coupon's id), or null.
     */
    public String invoiceOfferCode(String invoiceId) {
        return StripeFacts.invoiceOfferCode(get("invoice '" + invoiceId + "' with its discounts",
                "/v1/invoices/" + segment(invoiceId), "expand[]", "discounts.promotion_code"));
    }

    /** The code customers type for a promotion code: {@code GET /v1/promotion_codes/{id}}, or null. */
    public String promotionCode(String promotionCodeId) {
        return text(get("promotion code '" + promotionCodeId + "'",
                "/v1/promotion_codes/" + segment(promotionCodeId)).path("code")).orElse(null);
    }

    /** Stripe's fee on a payment and the amount it was taken from, both in the balance's currency, minor units. */
    public record PaymentFee(long fee, long amount) {}

    /**
     * {@code POST /v1/subscriptions/{id}} with {@code cancel_at_period_end=true}: the subscription as Stripe has it
     * afterwards. Needs the key's "Subscriptions: Write" permission.
     */
    public JsonNode cancelAtPeriodEnd(String subscriptionId) {
        SubscriptionUpdateParams params = SubscriptionUpdateParams.builder().setCancelAtPeriodEnd(true).build();
        return write("cancel subscription '" + subscriptionId + "' at its period end", SUBSCRIPTIONS_WRITE,
                () -> client.v1().subscriptions().update(subscriptionId, params));
    }

    /**
     * {@code DELETE /v1/subscriptions/{id}}: ends the subscription now, without proration or a final invoice; the
     * subscription as Stripe has it afterwards. Needs "Subscriptions: Write".
     */
    public JsonNode cancelNow(String subscriptionId) {
        SubscriptionCancelParams params = SubscriptionCancelParams.builder().setProrate(false).setInvoiceNow(false)
                .build();
        return write("cancel subscription '" + subscriptionId + "'", SUBSCRIPTIONS_WRITE,
                () -> client.v1().subscriptions().cancel(subscriptionId, params));
    }

    /**
     * {@code POST /v1/refunds} of the whole remaining amount of a payment, named by its PaymentIntent ({@code pi_…}) or
     * charge ({@code ch_…}); the refund object. Needs "Refunds: Write". Without an amount Stripe refunds what is
     * left, and refuses a payment with nothing left ({@code charge_already_refunded}): a repeated request never refunds
     * twice. (No idempotency key: Stripe would answer a retry after its own 500 with that 500 for a day.)
     */
    public JsonNode refund(String paymentIntentOrChargeId) {
        RefundCreateParams.Builder params = RefundCreateParams.builder();
        if (paymentIntentOrChargeId.startsWith("ch_") || paymentIntentOrChargeId.startsWith("py_")) {
            params.setCharge(paymentIntentOrChargeId);
        } else {
            params.setPaymentIntent(paymentIntentOrChargeId);
        }
        return write("refund payment '" + paymentIntentOrChargeId + "'", REFUNDS_WRITE,
                () -> client.v1().refunds().create(params.build()));
    }

    /** {@code GET /v1/products/{id}?expand[]=default_price}: the product with its default price object. */
    public JsonNode productWithDefaultPrice(String id) {
        ProductRetrieveParams params = ProductRetrieveParams.builder().addExpand("default_price").build();
        return raw("product '" + id + "'", () -> client.v1().products().retrieve(id, params));
    }

    /** {@code GET /v1/account}: who the key belongs to, for "check connection". */
    public AccountInfo account() {
        JsonNode account = raw("the account of the API key", () -> client.v1().accounts().retrieveCurrent());
        String businessName = text(account.path("business_profile").path("name"))
                .or(() -> text(account.path("settings").path("dashboard").path("display_name")))
                .orElse(null);
        return new AccountInfo(account.path("id").asText(), livemode(), businessName,
                text(account.path("email")).orElse(null));
    }

    /**
     * One page of {@code GET /v1/events}, newest first, as Stripe renders it (each event keeps the API version it was
     * created with). {@code types} empty means all types; {@code startingAfter} null means the newest page.
     */
    public EventPage events(long createdGte, List<String> types, String startingAfter, int limit) {
        return events(createdGte, null, types, startingAfter, limit);
    }

    /** As {@link #events(long, List, String, int)}, limited to events created before {@code createdLt} when set. */
    public EventPage events(long createdGte, Long createdLt, List<String> types, String startingAfter, int limit) {
        EventListParams.Created.Builder created = EventListParams.Created.builder().setGte(createdGte);
        if (createdLt != null) {
            created.setLt(createdLt);
        }
        EventListParams.Builder params = EventListParams.builder()
                .setCreated(created.build())
                .setLimit((long) Math.max(1, Math.min(MAX_PAGE, limit)));
        if (!types.isEmpty()) {
            params.addAllType(types);
        }
        if (startingAfter != null) {
            params.setStartingAfter(startingAfter);
        }
        StripeCollection<Event> page = call("events", () -> client.v1().events().list(params.build()));
        List<String> rawEvents;
        try {
            rawEvents = RawListItems.of(page.getLastResponse().body());
        } catch (IllegalArgumentException e) {
            throw malformed("events", e);
        }
        List<String> ids = page.getData().stream().map(Event::getId).toList();
        if (ids.size() != rawEvents.size()) {
            throw malformed("events", new IllegalStateException(ids.size() + " parsed vs " + rawEvents.size() + " raw"));
        }
        return new EventPage(rawEvents, Boolean.TRUE.equals(page.getHasMore()), ids);
    }

    /**
     * One page of {@code GET /v1/subscriptions?status=all&expand[]=data.latest_invoice}, newest first: every
     * subscription whatever its status (canceled ones included), each with its latest invoice expanded.
     */
    public ObjectPage subscriptions(String startingAfter, int limit) {
        return list("subscriptions", "/v1/subscriptions", startingAfter, limit, "status", "all",
                "expand[]", "data.latest_invoice");
    }

    /** One page of {@code GET /v1/checkout/sessions?status=complete}, newest first. */
    public ObjectPage completeCheckoutSessions(String startingAfter, int limit) {
        return list("checkout sessions", "/v1/checkout/sessions", startingAfter, limit, "status", "complete");
    }

    /** One page of {@code GET /v1/refunds}, newest first. */
    public ObjectPage refunds(String startingAfter, int limit) {
        return list("refunds", "/v1/refunds", startingAfter, limit);
    }

    /**
     * One page of a list as a raw request: its items are cut from the text ({@link RawListItems#page}), with no
     * typed model of a hundred objects built only to read their ids.
     */
    private ObjectPage list(String what, String path, String startingAfter, int limit, String... filters) {
        List<String> query = new java.util.ArrayList<>(List.of(filters));
        query.addAll(List.of("limit", Integer.toString(pageSize(limit))));
        if (startingAfter != null) {
            query.addAll(List.of("starting_after", startingAfter));
        }
        String body = call(what, () -> client.rawRequest(ApiResource.RequestMethod.GET,
                url(path, query.toArray(String[]::new)), null)).body();
        try {
            return RawListItems.page(body);
        } catch (IllegalArgumentException e) {
            throw malformed(what, e);
        }
    }

    private static int pageSize(int limit) {
        return Math.max(1, Math.min(MAX_PAGE, limit));
    }

    /** A change in Stripe: a missing permission of a restricted key names the permission to add. */
    private static JsonNode write(String what, String permission, StripeCall<? extends StripeObject> request) {
        StripeObject object;
        try {
            object = request.call();
        } catch (StripeException e) {
            throw StripeErrors.translateWrite(e, what, permission);
        }
        return body(what, object);
    }

    private JsonNode raw(String what, StripeCall<? extends StripeObject> request) {
        return body(what, call(what, request));
    }

    /**
     * {@code GET path?name=value&…} as a raw request: Stripe's JSON is all the callers use, so stripe-java's typed
     * model, which a retrieve builds from the same text first, is not made (it was most of a read's CPU in the Stripe
     * import's profile, BENCHMARKS.md). Errors are Stripe's typed exceptions all the same.
     */
    private JsonNode get(String what, String path, String... query) {
        StripeResponse response = call(what, () -> client.rawRequest(ApiResource.RequestMethod.GET, url(path, query),
                null));
        return parse(what, response.body());
    }

    /** {@code path?name=value&…}, names and values encoded. */
    private static String url(String path, String... query) {
        StringBuilder url = new StringBuilder(path);
        for (int i = 0; i < query.length; i += 2) {
            url.append(i == 0 ? '?' : '&').append(URLEncoder.encode(query[i], StandardCharsets.UTF_8)).append('=')
                    .append(URLEncoder.encode(query[i + 1], StandardCharsets.UTF_8));
        }
        return url.toString();
    }

    /** An id as one path segment. */
    private static String segment(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8);
    }

    private static JsonNode body(String what, StripeObject object) {
        return parse(what, object.getLastResponse().body());
    }

    private static JsonNode parse(String what, String text) {
        try {
            return Json.withoutNul(Json.MAPPER.readTree(text), text);
        } catch (java.io.IOException e) {
            throw malformed(what, e);
        }
    }

    private static <T> T call(String what, StripeCall<T> request) {
        try {
            return request.call();
        } catch (StripeException e) {
            // stripe-java also reports JSON its typed model cannot take as an ApiException: STRIPE_API_ERROR.
            throw StripeErrors.translate(e, what);
        }
    }

    private static ApiException malformed(String what, Exception cause) {
        return new ApiException(ErrorCode.STRIPE_API_ERROR, "Stripe answered " + what
                + " with JSON Substate cannot read (" + cause.getMessage() + "); retry later");
    }

    private static Optional<String> text(JsonNode node) {
        return node.isTextual() && !node.asText().isBlank() ? Optional.of(node.asText()) : Optional.empty();
    }

    private static String stripTrailingSlash(String base) {
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    @FunctionalInterface
    private interface StripeCall<T> {
        T call() throws StripeException;
    }
}
