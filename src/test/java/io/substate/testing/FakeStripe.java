package io.substate.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.substate.common.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local fake of Stripe's HTTP API (the only stand-in our tests allow), reached through the real
 * stripe-java client by pointing its API base at {@link #baseUrl()}. Objects are stored and served as raw JSON
 * text; errors use Stripe's error shape and status codes so stripe-java raises the same exceptions as against Stripe.
 *
 * <p>Serves {@code GET} of {@code /v1/subscriptions/{id}}, {@code /v1/checkout/sessions/{id}} (and
 * {@code …/line_items}), {@code /v1/invoices/{id}}, {@code /v1/charges/{id}}, {@code /v1/payment_intents/{id}},
 * {@code /v1/customers/{id}}, {@code /v1/products/{id}} (with {@code expand[]=default_price}), {@code /v1/prices/{id}},
 * {@code /v1/balance_transactions/{id}}, {@code /v1/promotion_codes/{id}} (any stored object's ids expand, also
 * lists of ids and along a dotted path such as {@code latest_charge.balance_transaction}; discounts {@code di_…} are
 * only expanded),
 * {@code /v1/invoice_payments}, {@code /v1/events} and {@code /v1/account}; the lists of stored subscriptions
 * ({@code status}, {@code all}), checkout sessions ({@code status}) and refunds ({@code /v1/refunds/{id}} too), paged
 * with {@code limit}, {@code starting_after} and {@code has_more}, newest first, with {@code expand[]=data.…}; and the changes Substate makes:
 * {@code POST /v1/subscriptions/{id}} ({@code cancel_at_period_end}), {@code DELETE /v1/subscriptions/{id}} and
 * {@code POST /v1/refunds}, which change the stored objects so that later reads see the change. A restricted key's
 * missing permission ({@link #denyPermission}) and an outage ({@link #down}, {@link #downAfter}) and a 429 on the Nth request ({@link #rateLimitRequest}) can be switched on.
 * Thread-safe: one fake may serve a whole test class.
 */
public final class FakeStripe implements AutoCloseable {
    /** Accepted from the start, so most tests need no {@link #acceptKey}. */
    public static final String API_KEY = "rk_test_51FakeStripeSubstateKey";

    private static final Map<String, Collection> COLLECTIONS_BY_PREFIX = Map.ofEntries(
            Map.entry("sub_", new Collection("subscriptions", "subscription")),
            Map.entry("cs_", new Collection("checkout/sessions", "checkout.session")),
            Map.entry("in_", new Collection("invoices", "invoice")),
            Map.entry("ch_", new Collection("charges", "charge")),
            Map.entry("pi_", new Collection("payment_intents", "payment_intent")),
            Map.entry("cus_", new Collection("customers", "customer")),
            Map.entry("prod_", new Collection("products", "product")),
            Map.entry("price_", new Collection("prices", "price")),
            Map.entry("txn_", new Collection("balance_transactions", "balance_transaction")),
            Map.entry("promo_", new Collection("promotion_codes", "promotion_code")),
            Map.entry("re_", new Collection("refunds", "refund")),
            // Stripe has no route for discounts; they are only expanded (invoice.discounts).
            Map.entry("di_", new Collection("discounts", "discount")));
    private static final Pattern OBJECT_PATH = Pattern.compile("/v1/(checkout/sessions|[a-z_]+)/([^/]+)(/line_items)?");
    private static final Pattern LIST_KEY = Pattern.compile("^(.+)\\[\\d*]$");

    private final HttpServer server;
    private final ExecutorService executor;
    private final Set<String> acceptedKeys = ConcurrentHashMap.newKeySet();
    private final Map<String, String> objects = new ConcurrentHashMap<>();
    /** When each object was first stored: Stripe lists objects of the same second newest first too. */
    private final Map<String, Long> stored = new ConcurrentHashMap<>();
    private final AtomicLong received = new AtomicLong();
    private final Map<String, Fault> faultsAt = new ConcurrentHashMap<>();
    private volatile long downAfter = Long.MAX_VALUE;
    private final Map<String, String> lineItems = new ConcurrentHashMap<>();
    private final List<String> invoicePayments = new CopyOnWriteArrayList<>();
    private final List<StoredEvent> events = new CopyOnWriteArrayList<>();
    private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<Fault> faults = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Duration> delays = new ConcurrentLinkedQueue<>();
    private final AtomicLong sequence = new AtomicLong();
    private final Set<String> deniedPermissions = ConcurrentHashMap.newKeySet();
    private volatile boolean down;
    private volatile String account = """
            {"id":"acct_1FakeStripeSubstate","object":"account","business_profile":{"name":"Fake Stripe Shop",\
            "url":"https://shop.example"},"charges_enabled":true,"country":"US","default_currency":"usd",\
            "email":"owner@shop.example","settings":{"dashboard":{"display_name":"Fake Stripe Shop",\
            "timezone":"Etc/UTC"}},"type":"standard"}""";

    private FakeStripe(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
        acceptedKeys.add(API_KEY);
    }

    /** Starts a fake on a free port of 127.0.0.1. */
    public static FakeStripe start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            ExecutorService executor = Executors.newCachedThreadPool(runnable -> {
                Thread thread = new Thread(runnable, "fake-stripe");
                thread.setDaemon(true);
                return thread;
            });
            FakeStripe fake = new FakeStripe(server, executor);
            server.createContext("/", fake::handle);
            server.setExecutor(executor);
            server.start();
            return fake;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the fake Stripe API", e);
        }
    }

    /** The value for {@code SUBSTATE_STRIPE_API_BASE} / stripe-java's {@code setApiBase}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    /** Also answer requests made with this API key (others get Stripe's 401). */
    public FakeStripe acceptKey(String apiKey) {
        acceptedKeys.add(apiKey);
        return this;
    }

    /** Stops accepting a key, as when the merchant rolls or deletes it. */
    public FakeStripe rejectKey(String apiKey) {
        acceptedKeys.remove(apiKey);
        return this;
    }

    /** Stores (or replaces) an object; its {@code id} prefix decides where it is served. */
    public FakeStripe put(JsonNode object) {
        return putJson(Json.write(object));
    }

    /** Stores (or replaces) an object given as JSON text, served byte for byte. */
    public FakeStripe putJson(String json) {
        String id = Json.read(json).path("id").asText("");
        if (collectionOf(id).isEmpty()) {
            throw new IllegalArgumentException("the fake Stripe serves ids starting with "
                    + COLLECTIONS_BY_PREFIX.keySet() + ", not '" + id + "'");
        }
        objects.put(id, json);
        stored.putIfAbsent(id, sequence.incrementAndGet());
        return this;
    }

    /** Removes an object, so reading it answers 404 as for a deleted test-mode object. */
    public FakeStripe remove(String id) {
        objects.remove(id);
        return this;
    }

    /** The list answered by {@code GET /v1/checkout/sessions/{id}/line_items}. */
    public FakeStripe putLineItems(String sessionId, JsonNode listJson) {
        lineItems.put(sessionId, Json.write(listJson));
        return this;
    }

    /** Records that a PaymentIntent paid an invoice (what {@code GET /v1/invoice_payments} looks up). */
    public FakeStripe putInvoicePayment(String paymentIntentId, String invoiceId) {
        JsonNode invoice = Json.read(objects.getOrDefault(invoiceId, "{}"));
        long now = System.currentTimeMillis() / 1000;
        ObjectNode payment = Json.object();
        payment.put("id", "inpay_fake" + sequence.incrementAndGet());
        payment.put("object", "invoice_payment");
        payment.put("amount_paid", invoice.path("amount_paid").asLong(0));
        payment.put("amount_requested", invoice.path("amount_due").asLong(0));
        payment.put("created", now);
        payment.put("currency", "usd");
        payment.put("invoice", invoiceId);
        payment.put("is_default", true);
        payment.put("livemode", false);
        payment.putObject("payment").put("type", "payment_intent").put("payment_intent", paymentIntentId);
        payment.put("status", "paid");
        payment.putObject("status_transitions").putNull("canceled_at").put("paid_at", now);
        invoicePayments.add(Json.write(payment));
        return this;
    }

    /** Adds an event to {@code GET /v1/events}; it is served exactly as given. */
    public FakeStripe addEvent(String rawEventJson) {
        JsonNode event = Json.read(rawEventJson);
        events.add(new StoredEvent(event.path("id").asText(), event.path("type").asText(),
                event.path("created").asLong(), rawEventJson, sequence.incrementAndGet()));
        return this;
    }

    /** Replaces the object answered by {@code GET /v1/account}. */
    public FakeStripe account(JsonNode accountJson) {
        account = Json.write(accountJson);
        return this;
    }

    /** The next request (whatever it is) gets this answer instead of the normal one. */
    public FakeStripe failNext(int status, String body, Map<String, String> headers) {
        faults.add(new Fault(status, body, Map.copyOf(headers)));
        return this;
    }

    /**
     * The {@code n}th request from now (1 = the next) to {@code path} is answered 429 with
     * {@code Retry-After: retryAfterSeconds} and Stripe's {@code rate_limit} error.
     */
    public FakeStripe rateLimitRequest(String path, int n, int retryAfterSeconds) {
        long already = requests.stream().filter(r -> r.path().equals(path)).count();
        faultsAt.put(path + " " + (already + n), new Fault(429, error("invalid_request_error", "rate_limit",
                "Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.",
                null), Map.of("Retry-After", String.valueOf(retryAfterSeconds))));
        return this;
    }

    /** After {@code n} more requests the fake is {@link #down} (503 to everything) until {@code down(false)}. */
    public FakeStripe downAfter(int n) {
        downAfter = received.get() + n;
        return this;
    }

    /** The next request gets this status with Stripe's {@code api_error} body. */
    public FakeStripe failNext(int status) {
        return failNext(status, error("api_error", null, "Fake Stripe failure " + status, null), Map.of());
    }

    /** The next request is answered only after this delay (to trip the client's read timeout). */
    public FakeStripe delayNext(Duration delay) {
        delays.add(delay);
        return this;
    }

    /**
     * Answers the writes that need this permission ({@code rak_subscription_write}, {@code rak_refund_write}), or the
     * reads that expand a balance transaction ({@code rak_balance_transaction_read}), with Stripe's 403 for a
     * restricted key without it; {@code allowPermission} gives it back.
     */
    public FakeStripe denyPermission(String permission) {
        deniedPermissions.add(permission);
        return this;
    }

    public FakeStripe allowPermission(String permission) {
        deniedPermissions.remove(permission);
        return this;
    }

    /** While down, every request is answered 503 with Stripe's {@code api_error}. */
    public FakeStripe down(boolean isDown) {
        down = isDown;
        downAfter = Long.MAX_VALUE;
        return this;
    }

    /** The stored object as JSON (as changed by writes), or null. */
    public JsonNode object(String id) {
        String json = objects.get(id);
        return json == null ? null : Json.read(json);
    }

    /** Every request received, oldest first. */
    public List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    /** Requests whose path is exactly this one, oldest first. */
    public List<RecordedRequest> requestsTo(String path) {
        return requests.stream().filter(r -> r.path().equals(path)).toList();
    }

    /** Forgets requests, pending faults and delays (stored objects and events stay). */
    public void clearRequests() {
        requests.clear();
        faults.clear();
        delays.clear();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            String query = Optional.ofNullable(exchange.getRequestURI().getRawQuery()).orElse("");
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(new RecordedRequest(method, path, query, authorization,
                    exchange.getRequestHeaders().getFirst("Stripe-Version"), System.currentTimeMillis(), body));

            long number = received.incrementAndGet();
            long toPath = requests.stream().filter(r -> r.path().equals(path)).count();
            Duration delay = delays.poll();
            if (delay != null) {
                sleep(delay);
            }
            Fault fault = faultsAt.remove(path + " " + toPath);
            if (fault == null) {
                fault = faults.poll();
            }
            if (fault != null) {
                fault.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
                send(exchange, fault.status(), fault.body());
                return;
            }
            if (down || number > downAfter) {
                send(exchange, 503, error("api_error", null, "Fake Stripe is down", null));
                return;
            }
            Response response = authorized(authorization)
                    .orElseGet(() -> method.equals("GET") ? readPermitted(params(query),
                            authorization.substring("Bearer ".length())).orElseGet(() -> route(method, path,
                            params(query)))
                            : change(method, path, params(body), authorization.substring("Bearer ".length())));
            send(exchange, response.status(), response.body());
        } catch (RuntimeException e) {
            send(exchange, 500, error("api_error", null, "Fake Stripe bug: " + e, null));
        }
    }

    private Optional<Response> authorized(String authorization) {
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return Optional.of(new Response(401, error("invalid_request_error", null,
                    "You did not provide an API key. You need to provide your API key in the Authorization header,"
                            + " using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').", null)));
        }
        String key = authorization.substring("Bearer ".length());
        if (acceptedKeys.contains(key)) {
            return Optional.empty();
        }
        return Optional.of(new Response(401, error("invalid_request_error", null,
                "Invalid API Key provided: " + masked(key), null)));
    }

    private Response route(String method, String path, Map<String, List<String>> params) {
        if (!method.equals("GET")) {
            return unrecognized(method, path);
        }
        switch (path) {
            case "/v1/account":
                return new Response(200, account);
            case "/v1/events":
                return listEvents(params);
            case "/v1/invoice_payments":
                return listInvoicePayments(params);
            case "/v1/subscriptions": {
                // Stripe's default leaves canceled subscriptions out; status=all lists every one.
                String status = Optional.ofNullable(first(params, "status")).orElse("");
                return listObjects("sub_", path, params, sub -> status.equals("all")
                        || (status.isEmpty() ? !sub.path("status").asText().equals("canceled")
                        : sub.path("status").asText().equals(status)));
            }
            case "/v1/checkout/sessions": {
                String status = first(params, "status");
                return listObjects("cs_", path, params, session -> status == null
                        || session.path("status").asText("complete").equals(status));
            }
            case "/v1/refunds":
                return listObjects("re_", path, params, refund -> true);
            default:
                break;
        }
        Matcher matcher = OBJECT_PATH.matcher(path);
        if (!matcher.matches()) {
            return unrecognized(method, path);
        }
        String collectionPath = matcher.group(1);
        String id = URLDecoder.decode(matcher.group(2), StandardCharsets.UTF_8);
        Optional<Collection> collection = COLLECTIONS_BY_PREFIX.values().stream()
                .filter(c -> c.path().equals(collectionPath)).findFirst();
        if (collection.isEmpty() || (matcher.group(3) != null && !collectionPath.equals("checkout/sessions"))) {
            return unrecognized(method, path);
        }
        boolean stored = objects.containsKey(id) && collectionOf(id).equals(collection);
        if (matcher.group(3) != null) {
            String items = lineItems.get(id);
            if (items != null) {
                return new Response(200, items);
            }
            return stored ? new Response(200, list(List.of(), false, path)) : noSuch(collection.get(), id);
        }
        return stored ? new Response(200, expanded(objects.get(id), params)) : noSuch(collection.get(), id);
    }

    /** The writes Substate makes: cancel a subscription (at its period end or now) and refund a payment. */
    private Response change(String method, String path, Map<String, List<String>> form, String key) {
        Matcher subscription = Pattern.compile("/v1/subscriptions/([^/]+)").matcher(path);
        if (subscription.matches() && (method.equals("POST") || method.equals("DELETE"))) {
            return permitted("rak_subscription_write", key).orElseGet(() -> {
                String id = URLDecoder.decode(subscription.group(1), StandardCharsets.UTF_8);
                String json = objects.get(id);
                if (json == null) {
                    return noSuch(COLLECTIONS_BY_PREFIX.get("sub_"), id);
                }
                ObjectNode sub = (ObjectNode) Json.read(json);
                long now = System.currentTimeMillis() / 1000;
                if (sub.path("status").asText().equals("canceled")) {
                    return new Response(400, error("invalid_request_error", null, "A canceled subscription can "
                            + "only update its cancellation_details and metadata.", null));
                }
                if (method.equals("DELETE")) {
                    sub.put("status", "canceled");
                    sub.put("canceled_at", now);
                    sub.put("ended_at", now);
                    ((ObjectNode) sub.path("cancellation_details")).put("reason", "cancellation_requested");
                } else if (form.containsKey("cancel_at_period_end")) {
                    boolean cancel = Boolean.parseBoolean(first(form, "cancel_at_period_end"));
                    sub.put("cancel_at_period_end", cancel);
                    if (cancel) {
                        sub.put("canceled_at", now);
                        ((ObjectNode) sub.path("cancellation_details")).put("reason", "cancellation_requested");
                    } else {
                        sub.putNull("canceled_at");
                    }
                }
                objects.put(id, Json.write(sub));
                return new Response(200, Json.write(sub));
            });
        }
        if (path.equals("/v1/refunds") && method.equals("POST")) {
            return permitted("rak_refund_write", key).orElseGet(() -> refund(form));
        }
        return unrecognized(method, path);
    }

    /** Refunds what is left of a charge, named directly or as its PaymentIntent's {@code latest_charge}. */
    private Response refund(Map<String, List<String>> form) {
        String chargeId = first(form, "charge");
        String paymentIntent = first(form, "payment_intent");
        if (chargeId == null && paymentIntent != null && objects.containsKey(paymentIntent)) {
            chargeId = Json.read(objects.get(paymentIntent)).path("latest_charge").asText(null);
        }
        if (chargeId == null || !objects.containsKey(chargeId)) {
            return new Response(400, error("invalid_request_error", "resource_missing", "No such payment: '"
                    + (paymentIntent != null ? paymentIntent : chargeId) + "'", paymentIntent != null
                    ? "payment_intent" : "charge"));
        }
        ObjectNode charge = (ObjectNode) Json.read(objects.get(chargeId));
        long amount = charge.path("amount").asLong();
        long left = amount - charge.path("amount_refunded").asLong();
        if (left <= 0) {
            return new Response(400, error("invalid_request_error", "charge_already_refunded", "Charge " + chargeId
                    + " has already been refunded.", null));
        }
        long now = System.currentTimeMillis() / 1000;
        ObjectNode refund = Json.object();
        refund.put("id", "re_fake" + sequence.incrementAndGet());
        refund.put("object", "refund");
        refund.put("amount", left);
        refund.put("charge", chargeId);
        refund.put("created", now);
        refund.put("currency", charge.path("currency").asText());
        refund.set("payment_intent", charge.path("payment_intent"));
        refund.put("reason", (String) null);
        refund.put("status", "succeeded");
        charge.put("amount_refunded", amount);
        charge.put("refunded", true);
        ((com.fasterxml.jackson.databind.node.ArrayNode) charge.path("refunds").path("data")).add(refund);
        objects.put(chargeId, Json.write(charge));
        putJson(Json.write(refund));
        return new Response(200, Json.write(refund));
    }

    /** Stripe's answer to a restricted key without the permission, or empty when the key has it. */
    private Optional<Response> permitted(String permission, String key) {
        if (!deniedPermissions.contains(permission)) {
            return Optional.empty();
        }
        return Optional.of(new Response(403, error("invalid_request_error", null, "The provided key '" + masked(key)
                + "' does not have the required permissions for this endpoint on account 'acct_1FakeStripeSubstate'."
                + " Having the '" + permission + "' permission would allow this request to continue.", null)));
    }

    /**
     * Expanding a balance transaction needs the restricted key's {@code rak_balance_transaction_read}
     * ({@link #denyPermission} takes it away): Stripe answers 403 for the whole request.
     */
    private Optional<Response> readPermitted(Map<String, List<String>> params, String key) {
        boolean balance = params.getOrDefault("expand[]", List.of()).stream()
                .anyMatch(field -> field.endsWith("balance_transaction"));
        return balance ? permitted("rak_balance_transaction_read", key) : Optional.empty();
    }

    /**
     * Replaces the ids named by {@code expand[]} with the stored objects, as Stripe does; a dotted path
     * ({@code latest_charge.balance_transaction}) expands each step.
     */
    private String expanded(String json, Map<String, List<String>> params) {
        List<String> expand = params.getOrDefault("expand[]", List.of());
        if (expand.isEmpty()) {
            return json;
        }
        ObjectNode object = (ObjectNode) Json.read(json);
        for (String field : expand) {
            expand(object, field.split("\\."), 0);
        }
        return Json.write(object);
    }

    private void expand(ObjectNode object, String[] path, int at) {
        JsonNode value = object.get(path[at]);
        if (value instanceof com.fasterxml.jackson.databind.node.ArrayNode array) {
            // A list of ids (invoice.discounts) expands element by element.
            for (int i = 0; i < array.size(); i++) {
                JsonNode element = array.get(i);
                if (element.isTextual() && objects.containsKey(element.asText())) {
                    array.set(i, Json.read(objects.get(element.asText())));
                }
                if (at + 1 < path.length && array.get(i) instanceof ObjectNode next) {
                    expand(next, path, at + 1);
                }
            }
            return;
        }
        if (value != null && value.isTextual() && objects.containsKey(value.asText())) {
            value = Json.read(objects.get(value.asText()));
            object.set(path[at], value);
        }
        if (at + 1 < path.length && value instanceof ObjectNode next) {
            expand(next, path, at + 1);
        }
    }

    private Response listEvents(Map<String, List<String>> params) {
        Optional<Response> badLimit = badLimit(params);
        if (badLimit.isPresent()) {
            return badLimit.get();
        }
        List<String> types = params.getOrDefault("types[]", List.of());
        String type = first(params, "type");
        List<StoredEvent> matching = events.stream()
                .filter(e -> types.isEmpty() || types.contains(e.type()))
                .filter(e -> type == null || typeMatches(type, e.type()))
                .filter(e -> createdMatches(params, e.created()))
                .sorted(Comparator.comparingLong(StoredEvent::created).thenComparingLong(StoredEvent::sequence)
                        .reversed())
                .toList();
        String startingAfter = first(params, "starting_after");
        int from = 0;
        if (startingAfter != null) {
            int index = indexOf(matching, startingAfter);
            if (index < 0) {
                return new Response(404, error("invalid_request_error", "resource_missing",
                        "No such event: '" + startingAfter + "'", "starting_after"));
            }
            from = index + 1;
        }
        int limit = limit(params);
        int to = Math.min(matching.size(), from + limit);
        List<String> page = matching.subList(from, to).stream().map(StoredEvent::raw).toList();
        return new Response(200, list(page, to < matching.size(), "/v1/events"));
    }

    /**
     * A list of the stored objects of one kind, newest first (created, then the order they were stored in), paged
     * by {@code limit} and {@code starting_after} as Stripe does; {@code expand[]=data.<field>} expands in each item.
     */
    private Response listObjects(String prefix, String path, Map<String, List<String>> params,
            java.util.function.Predicate<JsonNode> filter) {
        Optional<Response> badLimit = badLimit(params);
        if (badLimit.isPresent()) {
            return badLimit.get();
        }
        record Item(String id, long created, long stored, String json) {}
        List<Item> matching = objects.entrySet().stream()
                .filter(entry -> entry.getKey().startsWith(prefix))
                .map(entry -> new Item(entry.getKey(), Json.read(entry.getValue()).path("created").asLong(),
                        stored.getOrDefault(entry.getKey(), 0L), entry.getValue()))
                .filter(item -> filter.test(Json.read(item.json())))
                .sorted(Comparator.comparingLong(Item::created).thenComparingLong(Item::stored).reversed())
                .toList();
        String startingAfter = first(params, "starting_after");
        int from = 0;
        if (startingAfter != null) {
            from = -1;
            for (int i = 0; i < matching.size(); i++) {
                if (matching.get(i).id().equals(startingAfter)) {
                    from = i + 1;
                }
            }
            if (from < 0) {
                return new Response(400, error("invalid_request_error", "resource_missing",
                        "No such object: '" + startingAfter + "'", "starting_after"));
            }
        }
        Map<String, List<String>> itemExpand = Map.of("expand[]", params.getOrDefault("expand[]", List.of()).stream()
                .filter(field -> field.startsWith("data.")).map(field -> field.substring("data.".length()))
                .toList());
        int to = Math.min(matching.size(), from + limit(params));
        List<String> page = matching.subList(from, to).stream().map(item -> expanded(item.json(), itemExpand))
                .toList();
        return new Response(200, list(page, to < matching.size(), path));
    }

    private Response listInvoicePayments(Map<String, List<String>> params) {
        Optional<Response> badLimit = badLimit(params);
        if (badLimit.isPresent()) {
            return badLimit.get();
        }
        String paymentIntent = first(params, "payment[payment_intent]");
        String paymentType = first(params, "payment[type]");
        String invoice = first(params, "invoice");
        if (paymentIntent != null && !"payment_intent".equals(paymentType)) {
            return new Response(400, error("invalid_request_error", "parameter_missing",
                    "Missing required param: payment[type].", "payment[type]"));
        }
        List<String> matching = invoicePayments.stream()
                .filter(raw -> {
                    JsonNode payment = Json.read(raw);
                    return (paymentIntent == null
                            || paymentIntent.equals(payment.path("payment").path("payment_intent").asText()))
                            && (invoice == null || invoice.equals(payment.path("invoice").asText()));
                })
                .toList();
        int limit = limit(params);
        return new Response(200, list(matching.subList(0, Math.min(limit, matching.size())),
                matching.size() > limit, "/v1/invoice_payments"));
    }

    private static boolean createdMatches(Map<String, List<String>> params, long created) {
        return bound(params, "created[gte]").map(b -> created >= b).orElse(true)
                && bound(params, "created[gt]").map(b -> created > b).orElse(true)
                && bound(params, "created[lte]").map(b -> created <= b).orElse(true)
                && bound(params, "created[lt]").map(b -> created < b).orElse(true)
                && bound(params, "created").map(b -> created == b).orElse(true);
    }

    private static boolean typeMatches(String pattern, String type) {
        return pattern.endsWith("*") ? type.startsWith(pattern.substring(0, pattern.length() - 1))
                : pattern.equals(type);
    }

    private static int indexOf(List<StoredEvent> events, String id) {
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).id().equals(id)) {
                return i;
            }
        }
        return -1;
    }

    private static Optional<Response> badLimit(Map<String, List<String>> params) {
        String limit = first(params, "limit");
        if (limit == null) {
            return Optional.empty();
        }
        try {
            int value = Integer.parseInt(limit);
            if (value >= 1 && value <= 100) {
                return Optional.empty();
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        return Optional.of(new Response(400, error("invalid_request_error", "parameter_invalid_integer",
                "Invalid integer: " + limit + "; limit must be between 1 and 100", "limit")));
    }

    private static int limit(Map<String, List<String>> params) {
        String limit = first(params, "limit");
        return limit == null ? 10 : Integer.parseInt(limit);
    }

    private static Optional<Long> bound(Map<String, List<String>> params, String name) {
        return Optional.ofNullable(first(params, name)).map(Long::parseLong);
    }

    private static String first(Map<String, List<String>> params, String name) {
        List<String> values = params.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static Optional<Collection> collectionOf(String id) {
        return COLLECTIONS_BY_PREFIX.entrySet().stream()
                .filter(entry -> id.startsWith(entry.getKey()))
                .map(Map.Entry::getValue)
                .findFirst();
    }

    private static Response noSuch(Collection collection, String id) {
        return new Response(404, error("invalid_request_error", "resource_missing",
                "No such " + collection.objectName() + ": '" + id + "'", "id"));
    }

    private static Response unrecognized(String method, String path) {
        return new Response(404, error("invalid_request_error", null, "Unrecognized request URL (" + method + ": "
                + path + "). The fake Stripe only serves the reads Substate makes.", null));
    }

    private static String list(List<String> rawItems, boolean hasMore, String url) {
        return "{\"object\":\"list\",\"data\":[" + String.join(",", rawItems) + "],\"has_more\":" + hasMore
                + ",\"url\":" + Json.write(url) + "}";
    }

    /** Stripe's error body: {@code {"error":{"type":…,"code":…,"message":…,"param":…}}}. */
    public static String error(String type, String code, String message, String param) {
        ObjectNode error = Json.object();
        ObjectNode body = error.putObject("error");
        if (code != null) {
            body.put("code", code);
            body.put("doc_url", "https://stripe.com/docs/error-codes/" + code.replace('_', '-'));
        }
        body.put("message", message);
        if (param != null) {
            body.put("param", param);
        }
        body.put("type", type);
        return Json.write(error);
    }

    /** Decodes a form query; indexed or bracketed list keys ({@code types[0]}, {@code types[]}) become {@code types[]}. */
    static Map<String, List<String>> params(String rawQuery) {
        Map<String, List<String>> params = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return params;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            Matcher list = LIST_KEY.matcher(key);
            if (list.matches()) {
                key = list.group(1) + "[]";
            }
            params.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }
        return params;
    }

    private static String masked(String key) {
        int visible = Math.min(4, key.length());
        int prefixEnd = key.indexOf('_', key.indexOf('_') + 1) + 1;
        String prefix = prefixEnd > 0 && prefixEnd < key.length() - visible ? key.substring(0, prefixEnd) : "";
        return prefix + "*".repeat(Math.max(0, key.length() - prefix.length() - visible))
                + key.substring(key.length() - visible);
    }

    private static void sleep(Duration delay) {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("Request-Id", "req_fake" + System.nanoTime());
        try {
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } catch (IOException e) {
            // The client gave up (timeout tests): nothing left to tell it.
        }
    }

    /**
     * One request the fake received.
     *
     * @param query the raw (still URL-encoded) query string, empty when none
     * @param authorization the {@code Authorization} header, null when absent
     * @param receivedAtMillis when the fake received it (wall clock), for tests of waiting and pacing
     * @param body the raw request body (a form for writes), empty when none
     */
    public record RecordedRequest(String method, String path, String query, String authorization,
            String stripeVersion, long receivedAtMillis, String body) {
        /** The decoded form body of a write. */
        public Map<String, List<String>> form() {
            return FakeStripe.params(body);
        }

        /** The decoded query parameters ({@code types[0]} and {@code types[]} both read as {@code types[]}). */
        public Map<String, List<String>> params() {
            return FakeStripe.params(query);
        }

        /** The API key of the {@code Bearer} authorization, null when absent. */
        public String apiKey() {
            return authorization != null && authorization.startsWith("Bearer ")
                    ? authorization.substring("Bearer ".length()) : null;
        }
    }

    private record Collection(String path, String objectName) {}

    private record StoredEvent(String id, String type, long created, String raw, long sequence) {}

    private record Fault(int status, String body, Map<String, String> headers) {}

    private record Response(int status, String body) {}
}
