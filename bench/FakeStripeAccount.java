import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fake Stripe account of any size for the import benchmark: Stripe's read API over HTTP (JDK only), answering
 * objects it generates from their index on every request, so 100,000 subscriptions cost no memory.
 *
 * <p>Usage: {@code java bench/FakeStripeAccount.java <port|0> <subscriptions> [options]}. The first line on stdout
 * is {@code listening on http://127.0.0.1:<port>}; on exit (SIGTERM) it prints what it served to stderr. Options:
 * <ul>
 *   <li>{@code --key rk_test_…}: the only API key accepted (default {@value #DEFAULT_KEY}); a {@code _live_} key makes
 *       every object live-mode, as Stripe's modes follow the key</li>
 *   <li>{@code --payments N}: one-time (payment-mode) Checkout Sessions, default subscriptions/20</li>
 *   <li>{@code --no-subscription-checkouts}: no subscription-mode Checkout Session per subscription (default: each
 *       subscription was sold through one, as a web app selling with Stripe Checkout has)</li>
 *   <li>{@code --no-user-id-every N}: every Nth subscription and payment has no {@code app_user_id} metadata
 *       (default 10000; 0 = all have one)</li>
 *   <li>{@code --rate-limit-every N}: answer every Nth request 429 with {@code Retry-After} (default 0 = never)</li>
 *   <li>{@code --retry-after S}: the {@code Retry-After} seconds of those 429s (default 1)</li>
 *   <li>{@code --latency-ms MS}: wait this long before each answer (Stripe's list pages take a few hundred ms)</li>
 *   <li>{@code --now EPOCH_SECONDS}: the account's "now" (default: the start time, to the minute)</li>
 *   <li>{@code --threads N}: HTTP threads (default 8)</li>
 * </ul>
 *
 * <p>The account, all in the current API shape (2025-03-31.basil and later: periods on subscription items, invoices
 * linked through {@code parent.subscription_details}, payments found through invoice payments):
 * <ul>
 *   <li>Subscription {@code i} ({@code sub_fk<9 digits>}, index 0 the newest) was created {@code 60 s + i × step}
 *       before now, the step spreading them over two years (at least a minute, at most a day apart). Its customer is
 *       {@code cus_fk<i>}, its metadata {@code app_user_id=user-<i>}. Plans: Premium monthly 9.99 USD (70%), Premium
 *       yearly 79.99 USD (20%), Pro monthly 19.99 EUR (10%). Status, from a hash of i: 40% of those under 14 days old
 *       are {@code trialing} (a 14-day trial with its 0.00 invoice); else 5% {@code canceled} (at the end of a period,
 *       or at once when younger than one), 4% {@code past_due} (its latest renewal invoice open), 2% active with
 *       {@code cancel_at_period_end}, the rest {@code active}. Every 1000th (i = 1000r + 1) was refunded and canceled
 *       at once. Its invoices {@code in_fk<i>n<k>} bill period k ({@code latest_invoice} is the current one, paid
 *       but for past_due ones), each paid one with a payment intent {@code pi_fk<i>n<k>}, charge
 *       {@code ch_fk<i>n<k>} and balance transaction (Stripe's 2.9% + 30 fee).</li>
 *   <li>With subscription checkouts, session {@code cs_fks<i>} (subscription mode, complete) 20 s before subscription
 *       i, with the same metadata; payment session {@code cs_fkp<p>} (one-time Lifetime, 49.99 USD; every 10th a
 *       guest without customer) spread over the same two years, every 50th (p = 50q + 3) refunded a day later.</li>
 * </ul>
 *
 * <p>Served: {@code GET /v1/subscriptions} ({@code status} all|active|trialing|past_due|canceled, default every
 * status but canceled as Stripe does; {@code customer}), {@code /v1/checkout/sessions} ({@code status},
 * {@code subscription}, {@code payment_intent}), {@code /v1/refunds} ({@code charge}, {@code payment_intent}), each
 * newest first with {@code limit} (1–100, default 10), {@code starting_after} and {@code has_more};
 * {@code /v1/invoice_payments} ({@code invoice} or {@code payment[payment_intent]}); {@code /v1/events} (empty);
 * single reads of {@code /v1/subscriptions, invoices, checkout/sessions (and …/line_items), charges, payment_intents,
 * balance_transactions, refunds, customers, products, prices}, and {@code /v1/account}. {@code expand[]}:
 * {@code (data.)latest_invoice}, {@code (data.)customer}, {@code latest_charge(.balance_transaction)},
 * {@code balance_transaction}, {@code default_price}, {@code (data.)line_items} (sessions), {@code data.charge}
 * (refunds); {@code discounts.promotion_code} is accepted (there are no discounts).
 * Unknown parameters are refused with 400, as Stripe does, so a client asking for more than this serves notices.
 */
public final class FakeStripeAccount {
    static final String DEFAULT_KEY = "rk_test_FakeStripeAccountBenchKey";
    private static final long DAY = 86_400;
    private static final long SPAN = 730 * DAY;
    private static final long TRIAL = 14 * DAY;
    private static final Pattern ID = Pattern.compile("([a-z]+)_fk([sp]?)(\\d{9})(?:n(\\d+))?");
    private static final Pattern OBJECT_PATH = Pattern.compile("/v1/(checkout/sessions|[a-z_]+)/([^/]+)(/line_items)?");
    private static final Pattern LIST_KEY = Pattern.compile("^(.+)\\[\\d*]$");

    private final long subscriptions;
    private final long payments;
    private final boolean subscriptionCheckouts;
    private final long noUserIdEvery;
    private final long rateLimitEvery;
    private final long retryAfter;
    private final long latencyMillis;
    private final long now;
    private final long step;
    private final long paymentStep;
    private final String key;
    private final boolean livemode;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong rateLimited = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();

    private FakeStripeAccount(long subscriptions, Map<String, String> options) {
        this.subscriptions = subscriptions;
        this.payments = longOption(options, "payments", subscriptions / 20);
        this.subscriptionCheckouts = !options.containsKey("no-subscription-checkouts");
        this.noUserIdEvery = longOption(options, "no-user-id-every", 10_000);
        this.rateLimitEvery = longOption(options, "rate-limit-every", 0);
        this.retryAfter = longOption(options, "retry-after", 1);
        this.latencyMillis = longOption(options, "latency-ms", 0);
        this.now = longOption(options, "now", Instant.now().getEpochSecond() / 60 * 60);
        this.step = Math.max(60, Math.min(DAY, SPAN / Math.max(1, subscriptions)));
        this.paymentStep = Math.max(60, Math.min(DAY, SPAN / Math.max(1, payments)));
        this.key = options.getOrDefault("key", DEFAULT_KEY);
        this.livemode = key.contains("_live_");
    }

    public static void main(String[] args) throws IOException {
        HttpServer server;
        try {
            server = start(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage() + "\nusage: java bench/FakeStripeAccount.java <port|0> <subscriptions>"
                    + " [--key rk_test_…] [--payments N] [--no-subscription-checkouts] [--no-user-id-every N]"
                    + " [--rate-limit-every N] [--retry-after S] [--latency-ms MS] [--now EPOCH_SECONDS]"
                    + " [--threads N]");
            System.exit(2);
            return;
        }
        // Daemon HTTP threads: this one keeps the program running until it is stopped.
        try {
            Thread.currentThread().join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Starts the account on a loopback port and prints the {@code listening on} line; at exit it prints what it
     * served. Tests call this through reflection in their own JVM, and stop the server and its executor (an
     * {@code ExecutorService} of daemon threads).
     */
    public static HttpServer start(String... args) throws IOException {
        if (args.length < 2) {
            throw new IllegalArgumentException("missing <port> <subscriptions>");
        }
        int port = (int) parse(args[0], "port");
        long count = parse(args[1], "subscriptions");
        Map<String, String> options = new LinkedHashMap<>();
        Set<String> flags = Set.of("no-subscription-checkouts");
        Set<String> valued = Set.of("key", "payments", "no-user-id-every", "rate-limit-every", "retry-after",
                "latency-ms", "now", "threads");
        for (int a = 2; a < args.length; a++) {
            String name = args[a].startsWith("--") ? args[a].substring(2) : "";
            if (flags.contains(name)) {
                options.put(name, "true");
            } else if (valued.contains(name) && a + 1 < args.length) {
                options.put(name, args[++a]);
            } else {
                throw new IllegalArgumentException("unknown or incomplete option " + args[a]);
            }
        }
        FakeStripeAccount account = new FakeStripeAccount(count, options);
        int threads = (int) longOption(options, "threads", 8);
        // The JDK server writes an answer's headers and body apart; without TCP_NODELAY the body waits for the ACK
        // of the headers, which the client delays (up to 40 ms on Linux) once a kept-alive connection has left quick
        // ACK mode: every read then took ~40 ms and the importer waited on it, idle (BENCHMARKS.md, Stripe import).
        // Read when the JDK's server classes load, so it must be set before the first server is made.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 256);
        ExecutorService executor = Executors.newFixedThreadPool(Math.max(1, threads), runnable -> {
            Thread thread = new Thread(runnable, "fake-stripe-account");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", account::handle);
        server.start();
        System.out.println("listening on http://127.0.0.1:" + server.getAddress().getPort() + " (key " + account.key
                + ", " + count + " subscriptions, " + account.payments + " payment sessions, "
                + (account.subscriptionRefunds() + account.paymentRefunds()) + " refunds, now " + account.now + ")");
        System.out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.err.println("FakeStripeAccount served "
                + account.requests.get() + " requests (" + account.rateLimited.get() + " answered 429 on purpose, "
                + account.errors.get() + " other 4xx/5xx)")));
        return server;
    }

    private static long parse(String value, String name) {
        try {
            long parsed = Long.parseLong(value);
            if (parsed >= 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be a number ≥ 0, not " + value);
    }

    private static long longOption(Map<String, String> options, String name, long fallback) {
        String value = options.get(name);
        return value == null ? fallback : parse(value, "--" + name);
    }

    // ---------------------------------------------------------------- HTTP

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            long n = requests.incrementAndGet();
            if (latencyMillis > 0) {
                Thread.sleep(latencyMillis);
            }
            Answer answer;
            if (rateLimitEvery > 0 && n % rateLimitEvery == 0) {
                rateLimited.incrementAndGet();
                exchange.getResponseHeaders().set("Retry-After", Long.toString(retryAfter));
                answer = new Answer(429, error("invalid_request_error", "rate_limit", "Request rate limit exceeded."
                        + " You can make up to 25 read operations per second in test mode (fake, every "
                        + rateLimitEvery + "th request).", null));
            } else {
                answer = answer(exchange);
                if (answer.status == 429) {
                    errors.incrementAndGet();
                }
            }
            if (answer.status >= 400 && answer.status != 429) {
                errors.incrementAndGet();
            }
            byte[] bytes = answer.body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.getResponseHeaders().set("Request-Id", "req_fk" + n);
            exchange.sendResponseHeaders(answer.status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // The client went away: nothing to answer.
        }
    }

    private Answer answer(HttpExchange exchange) throws IOException {
        exchange.getRequestBody().readAllBytes();
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return new Answer(401, error("invalid_request_error", null, "You did not provide an API key.", null));
        }
        if (!authorization.substring("Bearer ".length()).equals(key)) {
            return new Answer(401, error("invalid_request_error", null, "Invalid API Key provided: "
                    + masked(authorization.substring("Bearer ".length())), null));
        }
        if (!exchange.getRequestMethod().equals("GET")) {
            return new Answer(405, error("invalid_request_error", null, "This fake Stripe account is read-only.",
                    null));
        }
        try {
            return new Answer(200, route(exchange.getRequestURI().getRawPath(),
                    params(exchange.getRequestURI().getRawQuery())));
        } catch (Refused e) {
            return new Answer(e.status, e.body);
        } catch (RuntimeException e) {
            return new Answer(500, error("api_error", null, "FakeStripeAccount bug: " + e, null));
        }
    }

    private String route(String path, Map<String, List<String>> params) {
        switch (path) {
            case "/v1/subscriptions":
                return listSubscriptions(params);
            case "/v1/checkout/sessions":
                return listSessions(params);
            case "/v1/refunds":
                return listRefunds(params);
            case "/v1/invoice_payments":
                return listInvoicePayments(params);
            case "/v1/events":
                allow(params, "limit", "starting_after", "types[]", "type", "created[gte]", "created[lt]");
                return list(List.of(), false, "/v1/events");
            case "/v1/account":
                allow(params);
                return account();
            default:
                break;
        }
        Matcher matcher = OBJECT_PATH.matcher(path);
        if (!matcher.matches()) {
            throw unrecognized(path);
        }
        String collection = matcher.group(1);
        String id = URLDecoder.decode(matcher.group(2), StandardCharsets.UTF_8);
        Set<String> expand = expand(params);
        if (matcher.group(3) != null) {
            allow(params, "limit", "starting_after");
            if (!collection.equals("checkout/sessions")) {
                throw unrecognized(path);
            }
            return lineItems(id);
        }
        allow(params, "expand[]");
        String object = switch (collection) {
            case "subscriptions" -> subscription(subscriptionIndex(id), expand, "");
            case "invoices" -> invoice(id, expand);
            case "checkout/sessions" -> session(id, expand);
            case "charges" -> charge(id, expand);
            case "payment_intents" -> paymentIntent(id, expand);
            case "balance_transactions" -> balanceTransaction(id);
            case "refunds" -> refund(id);
            case "customers" -> customer(id);
            case "products" -> product(id, expand);
            case "prices" -> Plan.byPrice(id).map(plan -> plan.priceJson(livemode)).orElseThrow(() -> missing("price", id));
            default -> throw unrecognized(path);
        };
        return object;
    }

    // ---------------------------------------------------------------- subscriptions

    /** What subscription i is now; everything about it follows from i and the account's now. */
    private final class Sub {
        final long i;
        final long created;
        final Plan plan;
        final String status;
        final boolean trial;
        final boolean refunded;
        final boolean cancelAtPeriodEnd;
        final Long canceledAt;
        final Long endedAt;
        final Long cancelAt;
        /** The current (or, once ended, last) period's number k; invoices 0..k exist. */
        final int k;
        final long periodStart;
        final long periodEnd;

        Sub(long i) {
            this.i = i;
            this.created = now - 60 - i * step;
            long age = now - created;
            long hash = mix(i);
            int bucket = (int) Math.floorMod(hash, 100L);
            this.plan = Plan.forSubscription(Math.floorMod(hash >>> 8, 10L));
            if (i % 1000 == 1) {
                // Refunded and canceled at once: the first payment came back.
                long at = created + Math.min(age / 2, 2 * DAY);
                trial = false;
                refunded = true;
                status = "canceled";
                cancelAtPeriodEnd = false;
                canceledAt = at;
                endedAt = at;
                cancelAt = null;
                k = 0;
                periodStart = created;
                periodEnd = bound(1);
                return;
            }
            refunded = false;
            if (age < TRIAL && bucket < 40) {
                trial = true;
                status = "trialing";
                cancelAtPeriodEnd = false;
                canceledAt = null;
                endedAt = null;
                cancelAt = null;
                k = 0;
                periodStart = created;
                periodEnd = created + TRIAL;
                return;
            }
            trial = false;
            int current = currentPeriod();
            if (bucket < 5) {
                status = "canceled";
                cancelAtPeriodEnd = false;
                if (current == 0) {
                    // Canceled during the first period, effective at once.
                    long at = created + age / 2;
                    canceledAt = at;
                    endedAt = at;
                    cancelAt = null;
                    k = 0;
                } else {
                    // Canceled at the end of a period: one of the last three that ended.
                    int last = Math.max(1, current - (int) Math.floorMod(hash >>> 16, 3L));
                    k = last - 1;
                    endedAt = bound(last);
                    cancelAt = endedAt;
                    canceledAt = Math.max(bound(k), endedAt - 5 * DAY);
                }
            } else {
                k = current;
                boolean atEnd = bucket == 9 || bucket == 10;
                status = bucket < 9 && current > 0 ? "past_due" : "active";
                cancelAtPeriodEnd = atEnd;
                cancelAt = atEnd ? bound(k + 1) : null;
                canceledAt = atEnd ? Math.min(bound(k) + DAY, now - 30) : null;
                endedAt = null;
            }
            periodStart = bound(k);
            periodEnd = bound(k + 1);
        }

        /** The start of period k: the anchor (creation) plus k intervals, in calendar months or years. */
        long bound(int k) {
            ZonedDateTime anchor = Instant.ofEpochSecond(created).atZone(ZoneOffset.UTC);
            return (plan.yearly ? anchor.plusYears(k) : anchor.plusMonths(k)).toEpochSecond();
        }

        int currentPeriod() {
            int k = (int) Math.max(0, (now - created) / (plan.yearly ? 366 * DAY : 31 * DAY) - 1);
            while (bound(k + 1) <= now) {
                k++;
            }
            return k;
        }

        boolean invoicePaid(int n) {
            return n < k || !status.equals("past_due");
        }

        long invoiceAmount(int n) {
            return trial && n == 0 ? 0 : plan.amount;
        }

        String id() {
            return "sub_fk" + digits(i);
        }

        String customer() {
            return "cus_fk" + digits(i);
        }

        String appUserId() {
            return noUserIdEvery > 0 && i % noUserIdEvery == noUserIdEvery - 1 ? null : "user-" + i;
        }
    }

    private String subscription(long i, Set<String> expand, String prefix) {
        Sub s = new Sub(i);
        String id = s.id();
        Json item = new Json().s("id", "si_fk" + digits(i)).s("object", "subscription_item")
                .n("created", s.created).n("current_period_end", s.periodEnd)
                .n("current_period_start", s.periodStart).raw("discounts", "[]").raw("metadata", "{}")
                .raw("plan", s.plan.planJson(livemode)).raw("price", s.plan.priceJson(livemode)).n("quantity", 1)
                .s("subscription", id).raw("tax_rates", "[]");
        Json items = new Json().s("object", "list").raw("data", "[" + item.end() + "]").bool("has_more", false)
                .n("total_count", 1).s("url", "/v1/subscription_items?subscription=" + id);
        String latestInvoice = "in_fk" + digits(i) + "n" + s.k;
        return new Json().s("id", id).s("object", "subscription").nul("application")
                .raw("automatic_tax", "{\"disabled_reason\":null,\"enabled\":false,\"liability\":null}")
                .n("billing_cycle_anchor", s.trial ? s.periodEnd : s.created)
                .raw("billing_mode", "{\"type\":\"classic\"}")
                .n("cancel_at", s.cancelAt).bool("cancel_at_period_end", s.cancelAtPeriodEnd)
                .n("canceled_at", s.canceledAt)
                .raw("cancellation_details", new Json().nul("comment").nul("feedback")
                        .s("reason", s.canceledAt == null ? null : "cancellation_requested").end())
                .s("collection_method", "charge_automatically").n("created", s.created)
                .s("currency", s.plan.currency)
                .raw("customer", expand.contains(prefix + "customer") ? customer(s.customer())
                        : quote(s.customer()))
                .nul("days_until_due").s("default_payment_method", "pm_fk" + digits(i)).nul("default_source")
                .raw("default_tax_rates", "[]").nul("description").raw("discounts", "[]").n("ended_at", s.endedAt)
                .raw("invoice_settings", "{\"account_tax_ids\":null,\"issuer\":{\"type\":\"self\"}}")
                .raw("items", items.end())
                .raw("latest_invoice", expand.contains(prefix + "latest_invoice")
                        ? invoice(s, s.k, Set.of()) : quote(latestInvoice))
                .bool("livemode", livemode).raw("metadata", metadata(s.appUserId()))
                .nul("next_pending_invoice_item_invoice").nul("on_behalf_of").nul("pause_collection")
                .raw("payment_settings", "{\"payment_method_options\":null,\"payment_method_types\":null,"
                        + "\"save_default_payment_method\":\"off\"}")
                .nul("pending_invoice_item_interval").nul("pending_setup_intent").nul("pending_update")
                .nul("schedule").n("start_date", s.created).s("status", s.status).nul("test_clock")
                .nul("transfer_data").n("trial_end", s.trial ? s.periodEnd : null)
                .raw("trial_settings", "{\"end_behavior\":{\"missing_payment_method\":\"create_invoice\"}}")
                .n("trial_start", s.trial ? s.created : null)
                .end();
    }

    private String listSubscriptions(Map<String, List<String>> params) {
        allow(params, "limit", "starting_after", "status", "customer", "expand[]");
        int limit = limit(params);
        Set<String> expand = expand(params);
        String status = first(params, "status");
        if (status != null && !Set.of("all", "active", "trialing", "past_due", "canceled", "unpaid", "incomplete",
                "incomplete_expired", "paused", "ended").contains(status)) {
            throw invalid("status", "Invalid status: must be one of active, all, canceled, ended, incomplete, "
                    + "incomplete_expired, past_due, paused, trialing, or unpaid");
        }
        List<String> data = new ArrayList<>();
        String customer = first(params, "customer");
        long from = 0;
        long to = subscriptions;
        if (customer != null) {
            Long index = parsedIndex(customer, "cus", "");
            from = index == null || index >= subscriptions ? subscriptions : index;
            to = Math.min(subscriptions, from + 1);
        }
        String after = first(params, "starting_after");
        if (after != null) {
            from = Math.max(from, subscriptionIndex(after) + 1);
        }
        boolean more = false;
        for (long i = from; i < to; i++) {
            if (!statusMatches(status, new Sub(i).status)) {
                continue;
            }
            if (data.size() == limit) {
                more = true;
                break;
            }
            data.add(subscription(i, expand, "data."));
        }
        return list(data, more, "/v1/subscriptions");
    }

    private static boolean statusMatches(String wanted, String status) {
        if (wanted == null) {
            return !status.equals("canceled") && !status.equals("incomplete_expired");
        }
        return wanted.equals("all") || wanted.equals(status)
                || (wanted.equals("ended") && (status.equals("canceled") || status.equals("incomplete_expired")));
    }

    private long subscriptionIndex(String id) {
        Long index = parsedIndex(id, "sub", "");
        if (index == null || index >= subscriptions) {
            throw missing("subscription", id);
        }
        return index;
    }

    // ---------------------------------------------------------------- invoices and payments

    private String invoice(String id, Set<String> expand) {
        Matcher m = ID.matcher(id);
        if (!m.matches() || !m.group(1).equals("in") || !m.group(2).isEmpty() || m.group(4) == null
                || Long.parseLong(m.group(3)) >= subscriptions) {
            throw missing("invoice", id);
        }
        Sub s = new Sub(Long.parseLong(m.group(3)));
        int n = Integer.parseInt(m.group(4));
        if (n > s.k) {
            throw missing("invoice", id);
        }
        return invoice(s, n, expand);
    }

    private String invoice(Sub s, int n, Set<String> expand) {
        String id = "in_fk" + digits(s.i) + "n" + n;
        boolean paid = s.invoicePaid(n);
        long amount = s.invoiceAmount(n);
        long start = s.trial ? s.periodStart : s.bound(n);
        long end = s.trial ? s.periodEnd : s.bound(n + 1);
        long created = start;
        Json line = new Json().s("id", "il_fk" + digits(s.i) + "n" + n).s("object", "line_item")
                .n("amount", amount).s("currency", s.plan.currency)
                .s("description", "1 × " + s.plan.name + " (at " + money(s.plan) + " / "
                        + (s.plan.yearly ? "year" : "month") + ")")
                .raw("discount_amounts", "[]").bool("discountable", true).raw("discounts", "[]").s("invoice", id)
                .bool("livemode", livemode).raw("metadata", metadata(s.appUserId()))
                .raw("parent", new Json().nul("invoice_item_details")
                        .raw("subscription_item_details", new Json().nul("invoice_item").bool("proration", false)
                                .raw("proration_details", "{\"credited_items\":null}").s("subscription", s.id())
                                .s("subscription_item", "si_fk" + digits(s.i)).end())
                        .s("type", "subscription_item_details").end())
                .raw("period", new Json().n("end", end).n("start", start).end())
                .raw("pretax_credit_amounts", "[]")
                .raw("pricing", new Json().raw("price_details", new Json().s("price", s.plan.priceId)
                        .s("product", s.plan.product).end()).s("type", "price_details")
                        .s("unit_amount_decimal", Long.toString(amount)).end())
                .n("quantity", 1).n("subtotal", amount).raw("taxes", "[]");
        Json lines = new Json().s("object", "list").raw("data", "[" + line.end() + "]").bool("has_more", false)
                .n("total_count", 1).s("url", "/v1/invoices/" + id + "/lines");
        String country = country(s.i);
        return new Json().s("id", id).s("object", "invoice").s("account_country", "US")
                .s("account_name", "Fake Bench Account").n("amount_due", amount).n("amount_overpaid", 0)
                .n("amount_paid", paid ? amount : 0).n("amount_remaining", paid ? 0 : amount)
                .n("amount_shipping", 0).nul("application").n("attempt_count", paid ? (amount > 0 ? 1 : 0) : 2)
                .bool("attempted", true).bool("auto_advance", !paid)
                .raw("automatic_tax", "{\"disabled_reason\":null,\"enabled\":false,\"liability\":null,"
                        + "\"provider\":null,\"status\":null}")
                .s("billing_reason", n == 0 ? "subscription_create" : "subscription_cycle")
                .s("collection_method", "charge_automatically").n("created", created)
                .s("currency", s.plan.currency)
                .raw("customer", expand.contains("customer") ? customer(s.customer()) : quote(s.customer()))
                .raw("customer_address", new Json().nul("city").s("country", country).nul("line1").nul("line2")
                        .nul("postal_code").nul("state").end())
                .s("customer_email", "user-" + s.i + "@example.com").s("customer_name", "User " + s.i)
                .nul("customer_phone").nul("customer_shipping").s("customer_tax_exempt", "none")
                .raw("customer_tax_ids", "[]").nul("default_payment_method").nul("default_source")
                .raw("default_tax_rates", "[]").nul("description").raw("discounts", "[]").nul("due_date")
                .n("effective_at", created).n("ending_balance", 0).nul("footer").nul("from_invoice")
                .s("hosted_invoice_url", "https://invoice.stripe.com/i/fake/" + id)
                .s("invoice_pdf", "https://pay.stripe.com/invoice/fake/" + id + "/pdf")
                .raw("issuer", "{\"type\":\"self\"}").nul("last_finalization_error").nul("latest_revision")
                .raw("lines", lines.end()).bool("livemode", livemode).raw("metadata", "{}")
                .n("next_payment_attempt", paid ? null : now + 2 * DAY)
                .s("number", "FK" + digits(s.i) + "-" + (n + 1)).nul("on_behalf_of")
                .raw("parent", new Json().nul("quote_details")
                        .raw("subscription_details", new Json().raw("metadata", metadata(s.appUserId()))
                                .s("subscription", s.id()).end())
                        .s("type", "subscription_details").end())
                .raw("payment_settings", "{\"default_mandate\":null,\"payment_method_options\":null,"
                        + "\"payment_method_types\":null}")
                .n("period_end", start).n("period_start", n == 0 ? start : s.bound(n - 1))
                .n("post_payment_credit_notes_amount", 0).n("pre_payment_credit_notes_amount", 0)
                .nul("receipt_number").nul("rendering").nul("shipping_cost").nul("shipping_details")
                .n("starting_balance", 0).nul("statement_descriptor").s("status", paid ? "paid" : "open")
                .raw("status_transitions", new Json().n("finalized_at", created)
                        .nul("marked_uncollectible_at").n("paid_at", paid ? created + 60 : null).nul("voided_at")
                        .end())
                .n("subtotal", amount).nul("subtotal_excluding_tax").nul("test_clock")
                .raw("total_discount_amounts", "[]").n("total", amount).n("total_excluding_tax", amount)
                .raw("total_pretax_credit_amounts", "[]").raw("total_taxes", "[]")
                .n("webhooks_delivered_at", created)
                .end();
    }

    /** A payment: of subscription i's invoice n (kind "") or of payment session p (kind "p"). */
    private record Payment(String suffix, long amount, String currency, String customer, long created,
            long refunded, long refundedAt) {}

    private Payment payment(String id, String what) {
        Matcher m = ID.matcher(id);
        if (!m.matches()) {
            throw missing(what, id);
        }
        long index = Long.parseLong(m.group(3));
        if (m.group(2).equals("p") && m.group(4) == null && index < payments) {
            long created = sessionCreated(index);
            boolean refunded = paymentRefunded(index);
            return new Payment("p" + digits(index), Plan.LIFETIME.amount, Plan.LIFETIME.currency,
                    index % 10 == 9 ? null : "cus_fkp" + digits(index), created + 30,
                    refunded ? Plan.LIFETIME.amount : 0, refunded ? paymentRefundCreated(index) : 0);
        }
        if (m.group(2).isEmpty() && m.group(4) != null && index < subscriptions) {
            Sub s = new Sub(index);
            int n = Integer.parseInt(m.group(4));
            if (n <= s.k && s.invoicePaid(n) && s.invoiceAmount(n) > 0) {
                boolean refunded = s.refunded && n == 0;
                long created = (s.trial ? s.periodStart : s.bound(n)) + 55;
                return new Payment(digits(index) + "n" + n, s.invoiceAmount(n), s.plan.currency, s.customer(),
                        created, refunded ? s.invoiceAmount(n) : 0, refunded ? s.endedAt : 0);
            }
        }
        throw missing(what, id);
    }

    private String charge(String id, Set<String> expand) {
        if (!id.startsWith("ch_")) {
            throw missing("charge", id);
        }
        return charge(payment(id, "charge"), expand.contains("balance_transaction"));
    }

    private String charge(Payment p, boolean expandBalanceTransaction) {
        String id = "ch_fk" + p.suffix;
        List<String> refunds = p.refunded > 0 ? List.of(refundJson(p)) : List.of();
        return new Json().s("id", id).s("object", "charge").n("amount", p.amount).n("amount_captured", p.amount)
                .n("amount_refunded", p.refunded).nul("application").nul("application_fee")
                .raw("balance_transaction", expandBalanceTransaction ? balanceTransaction(p)
                        : quote("txn_fk" + p.suffix))
                .raw("billing_details", "{\"address\":null,\"email\":null,\"name\":null,\"phone\":null}")
                .bool("captured", true).n("created", p.created).s("currency", p.currency)
                .s("customer", p.customer).s("description", null).bool("disputed", false)
                .nul("failure_code").nul("failure_message").bool("livemode", livemode).raw("metadata", "{}")
                .raw("outcome", "{\"network_status\":\"approved_by_network\",\"reason\":null,\"risk_level\":"
                        + "\"normal\",\"seller_message\":\"Payment complete.\",\"type\":\"authorized\"}")
                .bool("paid", true).s("payment_intent", "pi_fk" + p.suffix).s("payment_method", "pm_fk" + p.suffix)
                .raw("payment_method_details", "{\"type\":\"card\",\"card\":{\"brand\":\"visa\",\"country\":\"US\","
                        + "\"exp_month\":12,\"exp_year\":2030,\"funding\":\"credit\",\"last4\":\"4242\"}}")
                .s("receipt_url", "https://pay.stripe.com/receipts/fake/" + id)
                .bool("refunded", p.refunded > 0 && p.refunded >= p.amount)
                .raw("refunds", new Json().s("object", "list").raw("data", "[" + String.join(",", refunds) + "]")
                        .bool("has_more", false).n("total_count", refunds.size())
                        .s("url", "/v1/charges/" + id + "/refunds").end())
                .s("status", "succeeded").end();
    }

    private String paymentIntent(String id, Set<String> expand) {
        if (!id.startsWith("pi_")) {
            throw missing("payment_intent", id);
        }
        Payment p = payment(id, "payment_intent");
        boolean charge = expand.contains("latest_charge") || expand.contains("latest_charge.balance_transaction");
        return new Json().s("id", "pi_fk" + p.suffix).s("object", "payment_intent").n("amount", p.amount)
                .n("amount_capturable", 0).n("amount_received", p.amount).nul("application")
                .s("capture_method", "automatic").s("client_secret", null).s("confirmation_method", "automatic")
                .n("created", p.created).s("currency", p.currency).s("customer", p.customer).nul("description")
                .nul("last_payment_error")
                .raw("latest_charge", charge ? charge(p, expand.contains("latest_charge.balance_transaction"))
                        : quote("ch_fk" + p.suffix))
                .bool("livemode", livemode).raw("metadata", "{}").s("payment_method", "pm_fk" + p.suffix)
                .raw("payment_method_types", "[\"card\"]").s("status", "succeeded").end();
    }

    private String balanceTransaction(String id) {
        if (!id.startsWith("txn_")) {
            throw missing("balance_transaction", id);
        }
        return balanceTransaction(payment(id, "balance_transaction"));
    }

    private String balanceTransaction(Payment p) {
        long fee = Math.round(p.amount * 0.029) + 30;
        return new Json().s("id", "txn_fk" + p.suffix).s("object", "balance_transaction").n("amount", p.amount)
                .n("available_on", p.created + 2 * DAY).n("created", p.created).s("currency", p.currency)
                .s("description", null).nul("exchange_rate").n("fee", fee)
                .raw("fee_details", "[{\"amount\":" + fee + ",\"application\":null,\"currency\":\"" + p.currency
                        + "\",\"description\":\"Stripe processing fees\",\"type\":\"stripe_fee\"}]")
                .n("net", p.amount - fee).s("reporting_category", "charge").s("source", "ch_fk" + p.suffix)
                .s("status", "available").s("type", "charge").end();
    }

    private String listInvoicePayments(Map<String, List<String>> params) {
        allow(params, "limit", "starting_after", "invoice", "payment[type]", "payment[payment_intent]", "status");
        limit(params);
        String invoice = first(params, "invoice");
        String intent = first(params, "payment[payment_intent]");
        String suffix = null;
        if (invoice != null && invoice.startsWith("in_fk")) {
            suffix = invoice.substring("in_fk".length());
        } else if (invoice == null && intent != null && intent.startsWith("pi_fk")) {
            suffix = intent.substring("pi_fk".length());
        }
        List<String> data = new ArrayList<>();
        if (suffix != null && first(params, "starting_after") == null) {
            try {
                Payment p = payment("pi_fk" + suffix, "payment_intent");
                if (!p.suffix.startsWith("p") && (intent == null || intent.equals("pi_fk" + p.suffix))) {
                    data.add(new Json().s("id", "inpay_fk" + p.suffix).s("object", "invoice_payment")
                            .n("amount_paid", p.amount).n("amount_requested", p.amount).n("created", p.created)
                            .s("currency", p.currency).s("invoice", "in_fk" + p.suffix).bool("is_default", true)
                            .bool("livemode", livemode)
                            .raw("payment", new Json().s("payment_intent", "pi_fk" + p.suffix)
                                    .s("type", "payment_intent").end())
                            .s("status", "paid")
                            .raw("status_transitions", new Json().nul("canceled_at").n("paid_at", p.created).end())
                            .end());
                }
            } catch (Refused e) {
                // No paid payment: Stripe answers an empty list.
            }
        }
        return list(data, false, "/v1/invoice_payments");
    }

    // ---------------------------------------------------------------- Checkout Sessions and refunds

    /** One of Stripe's lists as sequences of objects, each newest first; a list merges its sequences by time. */
    private interface Sequence {
        long count();

        long created(long index);

        String id(long index);

        String json(long index);
    }

    private long sessionCreated(long p) {
        return now - 90 - p * paymentStep;
    }

    private boolean paymentRefunded(long p) {
        return p % 50 == 3;
    }

    private long paymentRefundCreated(long p) {
        long created = sessionCreated(p);
        return created + Math.min(DAY, (now - created) / 2);
    }

    private long subscriptionRefunds() {
        return subscriptions > 1 ? (subscriptions - 2) / 1000 + 1 : 0;
    }

    private long paymentRefunds() {
        return payments > 3 ? (payments - 4) / 50 + 1 : 0;
    }

    private final Sequence subscriptionSessions = new Sequence() {
        public long count() {
            return subscriptionCheckouts ? subscriptions : 0;
        }

        public long created(long i) {
            return now - 80 - i * step;
        }

        public String id(long i) {
            return "cs_fks" + digits(i);
        }

        public String json(long i) {
            return subscriptionSession(i);
        }
    };

    private final Sequence paymentSessions = new Sequence() {
        public long count() {
            return payments;
        }

        public long created(long p) {
            return sessionCreated(p);
        }

        public String id(long p) {
            return "cs_fkp" + digits(p);
        }

        public String json(long p) {
            return paymentSession(p);
        }
    };

    private final Sequence subscriptionRefundSequence = new Sequence() {
        public long count() {
            return subscriptionRefunds();
        }

        public long created(long r) {
            return new Sub(1000 * r + 1).endedAt;
        }

        public String id(long r) {
            return "re_fk" + digits(1000 * r + 1);
        }

        public String json(long r) {
            return refundJson(payment("pi_fk" + digits(1000 * r + 1) + "n0", "refund"));
        }
    };

    private final Sequence paymentRefundSequence = new Sequence() {
        public long count() {
            return paymentRefunds();
        }

        public long created(long q) {
            return paymentRefundCreated(50 * q + 3);
        }

        public String id(long q) {
            return "re_fkp" + digits(50 * q + 3);
        }

        public String json(long q) {
            return refundJson(payment("pi_fkp" + digits(50 * q + 3), "refund"));
        }
    };

    private String session(String id, Set<String> expand) {
        Matcher m = ID.matcher(id);
        if (m.matches() && m.group(1).equals("cs") && m.group(4) == null) {
            long index = Long.parseLong(m.group(3));
            String session = m.group(2).equals("s") && index < subscriptionSessions.count()
                    ? subscriptionSession(index)
                    : m.group(2).equals("p") && index < payments ? paymentSession(index) : null;
            if (session != null) {
                return expand.contains("line_items") ? withLineItems(session, id) : session;
            }
        }
        throw missing("checkout.session", id);
    }

    private String subscriptionSession(long i) {
        Sub s = new Sub(i);
        long amount = s.invoiceAmount(0);
        return sessionJson("cs_fks" + digits(i), s.created - 20, "subscription", s.customer(), s.appUserId(),
                amount, s.plan.currency, amount == 0 ? "no_payment_required" : "paid", null, s.id(),
                "in_fk" + digits(i) + "n0", country(i));
    }

    private String paymentSession(long p) {
        return sessionJson("cs_fkp" + digits(p), sessionCreated(p), "payment",
                p % 10 == 9 ? null : "cus_fkp" + digits(p),
                noUserIdEvery > 0 && p % noUserIdEvery == noUserIdEvery - 1 ? null : "buyer-" + p,
                Plan.LIFETIME.amount, Plan.LIFETIME.currency, "paid", "pi_fkp" + digits(p), null, null, country(p));
    }

    private String sessionJson(String id, long created, String mode, String customer, String appUserId, long amount,
            String currency, String paymentStatus, String paymentIntent, String subscription, String invoice,
            String country) {
        return new Json().s("id", id).s("object", "checkout.session").nul("after_expiration")
                .nul("allow_promotion_codes").n("amount_subtotal", amount).n("amount_total", amount)
                .raw("automatic_tax", "{\"enabled\":false,\"liability\":null,\"provider\":null,\"status\":null}")
                .s("billing_address_collection", "auto").s("cancel_url", "https://shop.example/cancel")
                .nul("client_reference_id").nul("consent").nul("consent_collection").n("created", created)
                .s("currency", currency).raw("custom_fields", "[]")
                .raw("custom_text", "{\"after_submit\":null,\"shipping_address\":null,\"submit\":null,"
                        + "\"terms_of_service_acceptance\":null}")
                .s("customer", customer).s("customer_creation", customer == null ? null : "always")
                .raw("customer_details", new Json()
                        .raw("address", new Json().nul("city").s("country", country).nul("line1").nul("line2")
                                .nul("postal_code").nul("state").end())
                        .s("email", (appUserId == null ? "guest-" + id : appUserId) + "@example.com")
                        .s("name", "Buyer").nul("phone").s("tax_exempt", "none").raw("tax_ids", "[]").end())
                .nul("customer_email").raw("discounts", "[]").n("expires_at", created + DAY).s("invoice", invoice)
                .nul("invoice_creation").bool("livemode", livemode).s("locale", null)
                .raw("metadata", metadata(appUserId)).s("mode", mode).s("payment_intent", paymentIntent)
                .nul("payment_link").s("payment_method_collection", "always")
                .raw("payment_method_types", "[\"card\"]").s("payment_status", paymentStatus)
                .raw("phone_number_collection", "{\"enabled\":false}").nul("recovered_from").nul("setup_intent")
                .nul("shipping_address_collection").nul("shipping_cost").raw("shipping_options", "[]")
                .s("status", "complete").nul("submit_type").s("subscription", subscription)
                .s("success_url", "https://shop.example/success")
                .raw("total_details", "{\"amount_discount\":0,\"amount_shipping\":0,\"amount_tax\":0}")
                .s("ui_mode", "hosted").nul("url").end();
    }

    private String lineItems(String sessionId) {
        Matcher m = ID.matcher(sessionId);
        Plan plan = null;
        boolean trial = false;
        if (m.matches() && m.group(1).equals("cs") && m.group(4) == null) {
            long index = Long.parseLong(m.group(3));
            if (m.group(2).equals("p") && index < payments) {
                plan = Plan.LIFETIME;
            } else if (m.group(2).equals("s") && index < subscriptionSessions.count()) {
                Sub s = new Sub(index);
                plan = s.plan;
                trial = s.trial;
            }
        }
        if (plan == null) {
            throw missing("checkout.session", sessionId);
        }
        long amount = trial ? 0 : plan.amount;
        String item = new Json().s("id", "li_fk" + sessionId.substring("cs_fk".length())).s("object", "item")
                .n("amount_discount", 0).n("amount_subtotal", amount).n("amount_tax", 0).n("amount_total", amount)
                .s("currency", plan.currency).s("description", plan.name).raw("price", plan.priceJson(livemode))
                .n("quantity", 1).end();
        return list(List.of(item), false, "/v1/checkout/sessions/" + sessionId + "/line_items");
    }

    private String listSessions(Map<String, List<String>> params) {
        allow(params, "limit", "starting_after", "status", "subscription", "payment_intent", "expand[]");
        int limit = limit(params);
        for (String e : expand(params)) {
            if (!e.equals("data.line_items")) {
                throw invalid("expand", "This property cannot be expanded (" + e + ") by the fake.");
            }
        }
        boolean lineItems = expand(params).contains("data.line_items");
        String status = first(params, "status");
        if (status != null && !Set.of("open", "complete", "expired").contains(status)) {
            throw invalid("status", "Invalid status: must be one of complete, expired, or open");
        }
        String subscription = first(params, "subscription");
        String intent = first(params, "payment_intent");
        if ((status != null && !status.equals("complete")) || subscription != null || intent != null) {
            List<String> data = new ArrayList<>();
            if (status == null || status.equals("complete")) {
                Long i = subscription == null ? null : parsedIndex(subscription, "sub", "");
                Long p = intent == null ? null : parsedIndex(intent, "pi", "p");
                if (i != null && intent == null && i < subscriptionSessions.count()) {
                    data.add(subscriptionSession(i));
                } else if (p != null && subscription == null && p < payments) {
                    data.add(paymentSession(p));
                }
                if (lineItems && !data.isEmpty()) {
                    String id = i != null ? "cs_fks" + digits(i) : "cs_fkp" + digits(p);
                    data.set(0, withLineItems(data.get(0), id));
                }
            }
            return list(first(params, "starting_after") == null ? data : List.of(), false, "/v1/checkout/sessions");
        }
        List<Sequence> sequences = List.of(subscriptionSessions, paymentSessions);
        if (lineItems) {
            sequences = sequences.stream().map(this::withLineItems).toList();
        }
        return merged(sequences, first(params, "starting_after"), limit, "checkout.session", "/v1/checkout/sessions");
    }

    /** The session with {@code line_items} expanded, as {@code expand[]=line_items} gives it. */
    private String withLineItems(String session, String id) {
        return session.substring(0, session.length() - 1) + ",\"line_items\":" + lineItems(id) + "}";
    }

    private Sequence withLineItems(Sequence sequence) {
        return new Sequence() {
            public long count() {
                return sequence.count();
            }

            public long created(long index) {
                return sequence.created(index);
            }

            public String id(long index) {
                return sequence.id(index);
            }

            public String json(long index) {
                return withLineItems(sequence.json(index), sequence.id(index));
            }
        };
    }

    private String refund(String id) {
        for (Sequence sequence : List.of(subscriptionRefundSequence, paymentRefundSequence)) {
            long index = indexOf(sequence, id);
            if (index >= 0) {
                return sequence.json(index);
            }
        }
        throw missing("refund", id);
    }

    private String refundJson(Payment p) {
        return new Json().s("id", "re_fk" + p.suffix.replaceFirst("n0$", "")).s("object", "refund")
                .n("amount", p.refunded).nul("balance_transaction").s("charge", "ch_fk" + p.suffix)
                .n("created", p.refundedAt).s("currency", p.currency).nul("destination_details")
                .raw("metadata", "{}").s("payment_intent", "pi_fk" + p.suffix).s("reason", "requested_by_customer")
                .nul("receipt_number").nul("source_transfer_reversal").s("status", "succeeded")
                .nul("transfer_reversal").end();
    }

    private String listRefunds(Map<String, List<String>> params) {
        allow(params, "limit", "starting_after", "charge", "payment_intent", "expand[]");
        int limit = limit(params);
        for (String e : expand(params)) {
            if (!e.equals("data.charge")) {
                throw invalid("expand", "This property cannot be expanded (" + e + ") by the fake.");
            }
        }
        String charge = first(params, "charge");
        String intent = first(params, "payment_intent");
        if (charge != null || intent != null) {
            String payment = charge != null ? charge.replaceFirst("^ch_", "pi_") : intent;
            List<String> data = new ArrayList<>();
            try {
                Payment p = payment(payment, "refund");
                if (p.refunded > 0 && first(params, "starting_after") == null
                        && (intent == null || intent.equals("pi_fk" + p.suffix))) {
                    data.add(refundJson(p));
                }
            } catch (Refused e) {
                // none
            }
            return list(data, false, "/v1/refunds");
        }
        String page = merged(List.of(subscriptionRefundSequence, paymentRefundSequence),
                first(params, "starting_after"), limit, "refund", "/v1/refunds");
        if (expand(params).contains("data.charge")) {
            Matcher charges = Pattern.compile("\"charge\":\"(ch_fk[^\"]+)\"").matcher(page);
            StringBuilder expanded = new StringBuilder();
            while (charges.find()) {
                charges.appendReplacement(expanded, Matcher.quoteReplacement("\"charge\":"
                        + charge(payment(charges.group(1), "charge"), false)));
            }
            charges.appendTail(expanded);
            page = expanded.toString();
        }
        return page;
    }

    /**
     * A page of a list made of several sequences, newest first: after the object {@code startingAfter} names (by
     * time, then sequence, then index, as each sequence is ordered), {@code limit} objects taken by time.
     */
    private String merged(List<Sequence> sequences, String startingAfter, int limit, String objectName, String url) {
        long[] next = new long[sequences.size()];
        if (startingAfter != null) {
            int cursorSequence = -1;
            long cursorIndex = -1;
            for (int s = 0; s < sequences.size() && cursorSequence < 0; s++) {
                long index = indexOf(sequences.get(s), startingAfter);
                if (index >= 0) {
                    cursorSequence = s;
                    cursorIndex = index;
                }
            }
            if (cursorSequence < 0) {
                throw new Refused(400, error("invalid_request_error", "resource_missing", "No such " + objectName
                        + ": '" + startingAfter + "'", "starting_after"));
            }
            long cursorCreated = sequences.get(cursorSequence).created(cursorIndex);
            for (int s = 0; s < sequences.size(); s++) {
                Sequence sequence = sequences.get(s);
                // The first index that comes after the cursor: created is strictly decreasing in each sequence.
                long low = 0;
                long high = sequence.count();
                while (low < high) {
                    long mid = (low + high) >>> 1;
                    if (after(sequence.created(mid), s, mid, cursorCreated, cursorSequence, cursorIndex)) {
                        high = mid;
                    } else {
                        low = mid + 1;
                    }
                }
                next[s] = low;
            }
        }
        List<String> data = new ArrayList<>();
        while (true) {
            int best = -1;
            long bestCreated = Long.MIN_VALUE;
            for (int s = 0; s < sequences.size(); s++) {
                if (next[s] < sequences.get(s).count()) {
                    long created = sequences.get(s).created(next[s]);
                    if (best < 0 || created > bestCreated) {
                        best = s;
                        bestCreated = created;
                    }
                }
            }
            if (best < 0) {
                return list(data, false, url);
            }
            if (data.size() == limit) {
                return list(data, true, url);
            }
            data.add(sequences.get(best).json(next[best]++));
        }
    }

    private static boolean after(long created, int sequence, long index, long cursorCreated, int cursorSequence,
            long cursorIndex) {
        if (created != cursorCreated) {
            return created < cursorCreated;
        }
        return sequence != cursorSequence ? sequence > cursorSequence : index > cursorIndex;
    }

    private static long indexOf(Sequence sequence, String id) {
        long low = 0;
        long high = sequence.count();
        // Ids are zero-padded, so they sort as their indexes do.
        while (low < high) {
            long mid = (low + high) >>> 1;
            int compared = sequence.id(mid).compareTo(id);
            if (compared == 0) {
                return mid;
            }
            if (compared < 0) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return -1;
    }

    // ---------------------------------------------------------------- customers, products, account

    private String customer(String id) {
        Matcher m = ID.matcher(id);
        if (m.matches() && m.group(1).equals("cus") && m.group(4) == null) {
            long index = Long.parseLong(m.group(3));
            String appUserId = null;
            boolean exists = false;
            if (m.group(2).isEmpty() && index < subscriptions) {
                exists = true;
                appUserId = new Sub(index).appUserId();
            } else if (m.group(2).equals("p") && index < payments && index % 10 != 9) {
                exists = true;
                appUserId = noUserIdEvery > 0 && index % noUserIdEvery == noUserIdEvery - 1 ? null : "buyer-" + index;
            }
            if (exists) {
                String name = appUserId == null ? "Customer " + id : appUserId;
                return new Json().s("id", id).s("object", "customer").nul("address").n("balance", 0)
                        .n("created", m.group(2).isEmpty() ? new Sub(index).created - 30 : sessionCreated(index))
                        .nul("currency").nul("default_source").bool("delinquent", false).nul("description")
                        .s("email", name + "@example.com")
                        .raw("invoice_settings", "{\"custom_fields\":null,\"default_payment_method\":null,"
                                + "\"footer\":null,\"rendering_options\":null}")
                        .bool("livemode", livemode).raw("metadata", metadata(appUserId)).s("name", name)
                        .nul("phone").raw("preferred_locales", "[]").nul("shipping").s("tax_exempt", "none")
                        .nul("test_clock").end();
            }
        }
        throw missing("customer", id);
    }

    private String product(String id, Set<String> expand) {
        Plan plan = Plan.byProduct(id);
        if (plan == null) {
            throw missing("product", id);
        }
        return new Json().s("id", plan.product).s("object", "product").bool("active", true)
                .n("created", 1_704_067_200L)
                .raw("default_price", expand.contains("default_price") ? plan.priceJson(livemode) : quote(plan.priceId))
                .nul("description").raw("images", "[]").bool("livemode", livemode).raw("marketing_features", "[]")
                .raw("metadata", "{}").s("name", plan.name).nul("package_dimensions").nul("shippable")
                .nul("statement_descriptor").s("tax_code", "txcd_10000000").s("type", "service").nul("unit_label")
                .n("updated", 1_704_067_200L).nul("url").end();
    }

    private String account() {
        return new Json().s("id", "acct_FakeBenchAccount").s("object", "account")
                .raw("business_profile", "{\"name\":\"Fake Bench Account\",\"url\":\"https://shop.example\"}")
                .s("business_type", "company").bool("charges_enabled", true).s("country", "US")
                .s("default_currency", "usd").bool("details_submitted", true).s("email", "owner@shop.example")
                .bool("payouts_enabled", true)
                .raw("settings", "{\"dashboard\":{\"display_name\":\"Fake Bench\",\"timezone\":\"Etc/UTC\"}}")
                .s("type", "standard").end();
    }

    /** The products and prices the account sells. */
    private enum Plan {
        PREMIUM_MONTHLY("prod_FakePremium", "price_FakePremiumMonthly", "Premium", 999, "usd", false, true),
        PREMIUM_YEARLY("prod_FakePremium", "price_FakePremiumYearly", "Premium", 7999, "usd", true, true),
        PRO_MONTHLY("prod_FakePro", "price_FakeProMonthly", "Pro", 1999, "eur", false, true),
        LIFETIME("prod_FakeLifetime", "price_FakeLifetime", "Lifetime", 4999, "usd", false, false);

        final String product;
        final String priceId;
        final String name;
        final long amount;
        final String currency;
        final boolean yearly;
        final boolean recurring;

        Plan(String product, String priceId, String name, long amount, String currency, boolean yearly,
                boolean recurring) {
            this.product = product;
            this.priceId = priceId;
            this.name = name;
            this.amount = amount;
            this.currency = currency;
            this.yearly = yearly;
            this.recurring = recurring;
        }

        static Plan forSubscription(long tenth) {
            return tenth < 7 ? PREMIUM_MONTHLY : tenth < 9 ? PREMIUM_YEARLY : PRO_MONTHLY;
        }

        static java.util.Optional<Plan> byPrice(String id) {
            for (Plan plan : values()) {
                if (plan.priceId.equals(id)) {
                    return java.util.Optional.of(plan);
                }
            }
            return java.util.Optional.empty();
        }

        /** The product's default price: Premium's is the monthly one. */
        static Plan byProduct(String id) {
            for (Plan plan : values()) {
                if (plan.product.equals(id)) {
                    return plan;
                }
            }
            return null;
        }

        String priceJson(boolean livemode) {
            Json price = new Json().s("id", priceId).s("object", "price").bool("active", true)
                    .s("billing_scheme", "per_unit").n("created", 1_704_067_200L).s("currency", currency)
                    .nul("custom_unit_amount").bool("livemode", livemode).nul("lookup_key").raw("metadata", "{}")
                    .s("nickname", null).s("product", product);
            if (recurring) {
                price.raw("recurring", new Json().s("interval", yearly ? "year" : "month").n("interval_count", 1)
                        .nul("meter").nul("trial_period_days").s("usage_type", "licensed").end())
                        .s("type", "recurring");
            } else {
                price.nul("recurring").s("type", "one_time");
            }
            return price.s("tax_behavior", "unspecified").nul("tiers_mode").nul("transform_quantity")
                    .n("unit_amount", amount).s("unit_amount_decimal", Long.toString(amount)).end();
        }

        String planJson(boolean livemode) {
            return new Json().s("id", priceId).s("object", "plan").bool("active", true).n("amount", amount)
                    .s("amount_decimal", Long.toString(amount)).s("billing_scheme", "per_unit")
                    .n("created", 1_704_067_200L).s("currency", currency).s("interval", yearly ? "year" : "month")
                    .n("interval_count", 1).bool("livemode", livemode).raw("metadata", "{}").nul("meter")
                    .nul("nickname").s("product", product).nul("tiers_mode").nul("transform_usage")
                    .nul("trial_period_days").s("usage_type", "licensed").end();
        }
    }

    // ---------------------------------------------------------------- helpers

    private static String money(Plan plan) {
        return String.format(java.util.Locale.ROOT, "%d.%02d %s", plan.amount / 100, plan.amount % 100,
                plan.currency.toUpperCase(java.util.Locale.ROOT));
    }

    private static String country(long i) {
        String[] countries = {"US", "US", "US", "DE", "GB", "FR", "CA", "US", "NL", "AU"};
        return countries[(int) Math.floorMod(mix(i) >>> 24, 10L)];
    }

    /** A fixed hash of the index (SplitMix64's finalizer): statuses and plans look random, yet never change. */
    private static long mix(long i) {
        long z = i * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (z ^ (z >>> 31)) & Long.MAX_VALUE;
    }

    private static String digits(long index) {
        String digits = Long.toString(index);
        return "0".repeat(Math.max(0, 9 - digits.length())) + digits;
    }

    /** The index in an id such as {@code sub_fk000000042} (kind "" or "p"), or null. */
    private static Long parsedIndex(String id, String prefix, String kind) {
        Matcher m = ID.matcher(id);
        return m.matches() && m.group(1).equals(prefix) && m.group(2).equals(kind) && m.group(4) == null
                ? Long.parseLong(m.group(3)) : null;
    }

    private static String metadata(String appUserId) {
        return appUserId == null ? "{}" : "{\"app_user_id\":" + quote(appUserId) + "}";
    }

    private static String list(List<String> data, boolean hasMore, String url) {
        return "{\"object\":\"list\",\"data\":[" + String.join(",", data) + "],\"has_more\":" + hasMore
                + ",\"url\":\"" + url + "\"}";
    }

    private static Set<String> expand(Map<String, List<String>> params) {
        Set<String> expand = Set.copyOf(params.getOrDefault("expand[]", List.of()));
        Set<String> known = Set.of("latest_invoice", "data.latest_invoice", "customer", "data.customer",
                "latest_charge", "latest_charge.balance_transaction", "balance_transaction", "default_price",
                "discounts.promotion_code", "data.charge", "line_items", "data.line_items");
        for (String e : expand) {
            if (!known.contains(e)) {
                throw invalid("expand", "This property cannot be expanded (" + e + ") by the fake.");
            }
        }
        return expand;
    }

    private static int limit(Map<String, List<String>> params) {
        String limit = first(params, "limit");
        if (limit == null) {
            return 10;
        }
        try {
            int value = Integer.parseInt(limit);
            if (value >= 1 && value <= 100) {
                return value;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new Refused(400, error("invalid_request_error", "parameter_invalid_integer", "Invalid integer: "
                + limit + "; limit must be between 1 and 100", "limit"));
    }

    /** Stripe refuses parameters it does not know; so does the fake, naming what it does not serve. */
    private static void allow(Map<String, List<String>> params, String... names) {
        Set<String> allowed = Set.of(names);
        for (String name : params.keySet()) {
            if (!allowed.contains(name)) {
                throw invalid(name, "Received unknown parameter: " + name + " (the fake Stripe account serves "
                        + String.join(", ", names) + " here)");
            }
        }
    }

    private static String first(Map<String, List<String>> params, String name) {
        List<String> values = params.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** Decodes a query; indexed list keys ({@code expand[0]}) read as {@code expand[]}, as Stripe reads them. */
    private static Map<String, List<String>> params(String rawQuery) {
        Map<String, List<String>> params = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return params;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            Matcher list = LIST_KEY.matcher(key);
            if (list.matches() && !key.startsWith("payment[") && !key.startsWith("created[")) {
                key = list.group(1) + "[]";
            }
            params.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }
        return params;
    }

    private static String masked(String key) {
        int visible = Math.min(4, key.length());
        return key.substring(0, Math.min(8, key.length() - visible)) + "*".repeat(Math.max(0, key.length() - 8 - visible))
                + key.substring(key.length() - visible);
    }

    private static Refused missing(String objectName, String id) {
        return new Refused(404, error("invalid_request_error", "resource_missing", "No such " + objectName + ": '"
                + id + "'", "id"));
    }

    private static Refused invalid(String param, String message) {
        return new Refused(400, error("invalid_request_error", "parameter_unknown", message, param));
    }

    private static Refused unrecognized(String path) {
        return new Refused(404, error("invalid_request_error", null, "Unrecognized request URL (GET: " + path
                + "). The fake Stripe account serves only the reads listed in bench/FakeStripeAccount.java.", null));
    }

    /** Stripe's error body. */
    private static String error(String type, String code, String message, String param) {
        Json error = new Json();
        if (code != null) {
            error.s("code", code).s("doc_url", "https://stripe.com/docs/error-codes/" + code.replace('_', '-'));
        }
        error.s("message", message);
        if (param != null) {
            error.s("param", param);
        }
        return "{\"error\":" + error.s("type", type).end() + "}";
    }

    private static String quote(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder quoted = new StringBuilder(text.length() + 2).append('"');
        for (int c = 0; c < text.length(); c++) {
            char ch = text.charAt(c);
            if (ch == '"' || ch == '\\') {
                quoted.append('\\').append(ch);
            } else if (ch < 0x20) {
                quoted.append(String.format("\\u%04x", (int) ch));
            } else {
                quoted.append(ch);
            }
        }
        return quoted.append('"').toString();
    }

    /** A JSON object written in order: the fake never parses JSON, it only writes it. */
    private static final class Json {
        private final StringBuilder out = new StringBuilder(256).append('{');

        private Json key(String name) {
            if (out.length() > 1) {
                out.append(',');
            }
            out.append('"').append(name).append("\":");
            return this;
        }

        Json s(String name, String value) {
            key(name).out.append(quote(value));
            return this;
        }

        Json n(String name, Long value) {
            key(name).out.append(value == null ? "null" : value.toString());
            return this;
        }

        Json n(String name, long value) {
            key(name).out.append(value);
            return this;
        }

        Json bool(String name, boolean value) {
            key(name).out.append(value);
            return this;
        }

        Json nul(String name) {
            key(name).out.append("null");
            return this;
        }

        Json raw(String name, String json) {
            key(name).out.append(json);
            return this;
        }

        String end() {
            return out.append('}').toString();
        }
    }

    private static final class Refused extends RuntimeException {
        final int status;
        final String body;

        Refused(int status, String body) {
            super(null, null, false, false);
            this.status = status;
            this.body = body;
        }
    }

    private record Answer(int status, String body) {}
}
