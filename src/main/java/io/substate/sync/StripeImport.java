package io.substate.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.substate.apps.App;
import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import io.substate.common.Json;
import io.substate.ingest.IngestOptions;
import io.substate.ingest.StripeReadMemo;
import io.substate.ingest.StripeWebhookService;
import io.substate.ingest.StripeWebhookService.Preview;
import io.substate.ingest.WebhookOutcome;
import io.substate.ingest.WebhookResult;
import io.substate.storage.Ids;
import io.substate.stripe.ObjectPage;
import io.substate.stripe.StripeApi;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * Imports an app's Stripe account (README, "Importing from Stripe"): every subscription of any status with its latest
 * invoice, every complete Checkout Session, and every refund with its charge, read with Stripe's list APIs page by
 * page and fed through the webhook pipeline ({@link StripeWebhookService#ingestImported}), so the purchases,
 * entitlements, chart facts and customer history are what notifications would have built.
 *
 * <p>Each object becomes the event a webhook would have carried ({@code customer.subscription.updated},
 * {@code invoice.updated}, {@code checkout.session.completed}, {@code charge.refunded}) with an id made from the
 * object's content ({@code evt_imp_<object id>_<hash>}): an object read again unchanged is a duplicate, so a second
 * run changes nothing. A subscription's event is dated when it was read, so a webhook sent after the read is newer and
 * wins, one sent before is older and loses (the state machine's snapshot order, {@code purchases/HistoryMerge});
 * invoices, sessions and refunds keep their own time, which dates their revenue.
 *
 * <p>The phases run in order (subscriptions, sessions, refunds); after each page is fully applied its last id is
 * stored as the cursor, so a run that stops (Stripe down, the process killed) is continued from there by the next.
 * The objects of a page are applied {@code concurrency} at a time; memory holds one page.
 */
public final class StripeImport {
    public static final int PAGE_SIZE = 100;
    public static final int MAX_CONCURRENCY = 16;
    /** A running import not heard from for this long is taken to have died with its process. */
    static final Duration STALE_AFTER = Duration.ofMinutes(2);
    private static final int RATE_LIMIT_RETRIES = 8;
    private static final Duration DEFAULT_RATE_LIMIT_WAIT = Duration.ofSeconds(2);
    private static final int UNAVAILABLE_RETRIES = 2;
    private static final Duration UNAVAILABLE_WAIT = Duration.ofMillis(500);
    private static final long HEARTBEAT_MILLIS = 2_000;

    /** The lists read, in order. */
    public enum Phase {
        SUBSCRIPTIONS, CHECKOUT_SESSIONS, REFUNDS, DONE;

        public String value() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Phase of(String value) {
            return valueOf(value.toUpperCase(Locale.ROOT));
        }

        Phase next() {
            return values()[ordinal() + 1];
        }
    }

    /**
     * How to run.
     *
     * @param dryRun read everything and write no purchase, customer or event
     * @param deliverEvents send the outgoing events of imported purchases to the integrations
     * @param restart ignore an unfinished import's cursor and start from the beginning
     * @param concurrency objects of a page applied at once
     * @param mapping App User IDs given by the operator, or {@link StripeImportMapping#NONE}
     */
    public record Options(boolean dryRun, boolean deliverEvents, boolean restart, int concurrency,
            StripeImportMapping mapping) {
        public Options {
            if (concurrency < 1 || concurrency > MAX_CONCURRENCY) {
                throw ApiException.invalid("'concurrency' must be from 1 to " + MAX_CONCURRENCY);
            }
        }
    }

    /** Told after every page and while a page is applied; {@code record} is the import as stored. */
    @FunctionalInterface
    public interface Progress {
        void update(StripeImportRecord record, long objectsDone);
    }

    private final StripeImportRepository imports;
    private final StripeWebhookService webhooks;
    private final String stripeApiBase;
    private final Clock clock;
    private final int pageSize;

    public StripeImport(StripeImportRepository imports, StripeWebhookService webhooks, String stripeApiBase,
            Clock clock) {
        this(imports, webhooks, stripeApiBase, clock, PAGE_SIZE);
    }

    /** {@code pageSize} below Stripe's 100 only for tests that want many pages from few objects. */
    public StripeImport(StripeImportRepository imports, StripeWebhookService webhooks, String stripeApiBase,
            Clock clock, int pageSize) {
        this.imports = imports;
        this.webhooks = webhooks;
        this.stripeApiBase = stripeApiBase;
        this.clock = clock;
        this.pageSize = pageSize;
    }

    /**
     * Claims the app's import: continues its unfinished one (same dry-run-ness) unless {@code restart}, else starts
     * one.
     *
     * @throws ApiException {@code STRIPE_API_KEY_NOT_CONFIGURED} without a key, {@code IMPORT_ALREADY_RUNNING} while
     *     another run imports the app
     */
    public StripeImportRecord begin(App app, Options options) {
        StripeApi.forApp(stripeApiBase, app.stripeApiKey()); // refuses an app without a key before anything is stored
        long now = clock.millis();
        return imports.claim(Ids.ordered("imp_", 20), app.projectId(), app.id(), options.dryRun(),
                options.deliverEvents(), options.restart(), Phase.SUBSCRIPTIONS.value(),
                Json.write(new ImportCounters().toJson()), now, now - STALE_AFTER.toMillis())
                .orElseThrow(() -> new ApiException(ErrorCode.IMPORT_ALREADY_RUNNING, "An import of app " + app.id()
                        + " is running; wait for it to finish (GET …/apps/" + app.id() + "/imports) or stop it."));
    }

    /**
     * Runs a claimed import until it completes or stops; never throws for Stripe's failures or an interruption:
     * they leave it {@code failed} with its cursor, and the answer says why.
     */
    public StripeImportRecord run(App app, StripeImportRecord claimed, Options options, Progress progress,
            BooleanSupplier cancelled) {
        // The owner asked for these purchases: the import starts them even where notifications would not.
        App importing = new App(app.id(), app.projectId(), app.name(), app.type(), app.publicApiKey(),
                app.webhookSecret(), app.previousWebhookSecret(), app.previousWebhookSecretExpiresAt(),
                app.stripeApiKey(), true, app.appUserIdDetection(), app.metadataKey(), app.managementUrl(),
                app.allowedOrigins(), app.createdAt());
        Run run = new Run(importing, claimed, options, progress, cancelled);
        ExecutorService pool = Executors.newFixedThreadPool(options.concurrency(), r -> {
            Thread thread = new Thread(r, "stripe-import-" + app.id());
            thread.setDaemon(true);
            return thread;
        });
        try {
            run.all(pool);
            return imports.finish(claimed.id(), StripeImportRecord.COMPLETED, run.countersJson(), null,
                    clock.millis());
        } catch (Stopped e) {
            return imports.finish(claimed.id(), StripeImportRecord.FAILED, run.countersJson(), e.getMessage(),
                    clock.millis());
        } catch (RuntimeException e) {
            imports.finish(claimed.id(), StripeImportRecord.FAILED, run.countersJson(), "unexpected: " + e,
                    clock.millis());
            throw e;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Why a run stops before the end: its page is not applied in full, so its cursor stays. */
    private static final class Stopped extends RuntimeException {
        Stopped(String message) {
            super(message, null, false, false);
        }
    }

    /** One run of an import: its state between pages. */
    private final class Run {
        final App app;
        final StripeImportRecord claimed;
        final Options options;
        final Progress progress;
        final BooleanSupplier cancelled;
        final ImportCounters counters;
        final AtomicReference<String> stop = new AtomicReference<>();
        /** A page's invoices and the fees just read, for the objects of the pages being applied. */
        final StripeReadMemo reads = StripeReadMemo.bounded(4 * PAGE_SIZE);
        volatile long lastHeartbeat;
        Phase phase;
        String cursor;
        StripeApi api;

        Run(App app, StripeImportRecord claimed, Options options, Progress progress, BooleanSupplier cancelled) {
            this.app = app;
            this.claimed = claimed;
            this.options = options;
            this.progress = progress;
            this.cancelled = cancelled;
            this.counters = ImportCounters.fromJson(claimed.counters());
            this.phase = Phase.of(claimed.phase());
            this.cursor = claimed.cursor();
        }

        String countersJson() {
            return Json.write(counters.toJson());
        }

        void all(ExecutorService pool) {
            try {
                api = StripeApi.forApp(stripeApiBase, app.stripeApiKey());
            } catch (ApiException e) {
                throw new Stopped(e.getMessage());
            }
            while (phase != Phase.DONE) {
                checkCancelled();
                long readAt = clock.millis() / 1000;
                ObjectPage page = withRetries(() -> list(phase, cursor), "listing " + phase.value());
                counters.read(phase, page.ids().size());
                Set<String> chargesSeen = ConcurrentHashMap.newKeySet();
                List<Future<?>> work = new ArrayList<>(page.rawObjects().size());
                Phase current = phase;
                for (String raw : page.rawObjects()) {
                    work.add(pool.submit(() -> {
                        if (stop.get() == null && !cancelled.getAsBoolean()) {
                            importObject(current, Json.read(raw), readAt, chargesSeen);
                            heartbeat();
                        }
                    }));
                }
                for (Future<?> task : work) {
                    try {
                        task.get();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new Stopped("interrupted");
                    } catch (ExecutionException e) {
                        stop.compareAndSet(null, "unexpected failure: " + e.getCause());
                    }
                }
                if (stop.get() != null) {
                    throw new Stopped(stop.get());
                }
                checkCancelled();
                if (page.hasMore() && page.lastId().isPresent()) {
                    cursor = page.lastId().get();
                } else {
                    phase = phase.next();
                    cursor = null;
                }
                long now = clock.millis();
                imports.advance(claimed.id(), phase.value(), cursor, countersJson(), now);
                lastHeartbeat = now;
                report();
            }
        }

        private void checkCancelled() {
            if (cancelled.getAsBoolean() || Thread.currentThread().isInterrupted()) {
                throw new Stopped("interrupted");
            }
        }

        private void heartbeat() {
            long now = clock.millis();
            if (now - lastHeartbeat >= HEARTBEAT_MILLIS) {
                synchronized (this) {
                    if (now - lastHeartbeat >= HEARTBEAT_MILLIS) {
                        lastHeartbeat = now;
                        imports.heartbeat(claimed.id(), countersJson(), now);
                        report();
                    }
                }
            }
        }

        private void report() {
            StripeImportRecord record = new StripeImportRecord(claimed.id(), claimed.projectId(), claimed.appId(),
                    StripeImportRecord.RUNNING, phase.value(), cursor, options.dryRun(), options.deliverEvents(),
                    counters.toJson(), claimed.startedAt(), clock.millis(), null, null);
            progress.update(record, counters.done());
        }

        private ObjectPage list(Phase phase, String after) {
            return switch (phase) {
                case SUBSCRIPTIONS -> api.subscriptions(after, pageSize);
                case CHECKOUT_SESSIONS -> api.completeCheckoutSessions(after, pageSize);
                case REFUNDS -> api.refunds(after, pageSize);
                case DONE -> throw new IllegalStateException("nothing to list when done");
            };
        }

        /** The events one object stands for, applied in order; the object counted once. */
        private void importObject(Phase phase, JsonNode object, long readAt, Set<String> chargesSeen) {
            String objectId = object.path("id").asText();
            List<ObjectNode> events = new ArrayList<>(2);
            String appUserId = null;
            try {
                switch (phase) {
                    case SUBSCRIPTIONS -> {
                        ObjectNode subscription = object.deepCopy();
                        JsonNode invoice = subscription.path("latest_invoice");
                        if (invoice.isObject()) {
                            // The event carries the id, as Stripe's does; the invoice is its own event. The resolver
                            // finds it here instead of reading it again for a new purchase's first payment.
                            subscription.put("latest_invoice", invoice.path("id").asText());
                            reads.putInvoice(invoice);
                        }
                        appUserId = options.mapping().forSubscription(objectId, idOf(subscription.path("customer")));
                        events.add(event("customer.subscription.updated", subscription, readAt));
                        if (invoice.isObject()) {
                            events.add(event("invoice.updated", invoice, timeOf(invoice)));
                        }
                    }
                    case CHECKOUT_SESSIONS -> {
                        String mode = object.path("mode").asText();
                        if (!"payment".equals(mode) && !"subscription".equals(mode)) {
                            counters.count(objectId, ImportCounters.Result.NOT_A_PURCHASE, null);
                            return;
                        }
                        appUserId = options.mapping().forSubscription(idOf(object.path("subscription")),
                                idOf(object.path("customer")));
                        events.add(event("checkout.session.completed", object, object.path("created").asLong(readAt)));
                    }
                    case REFUNDS -> {
                        String chargeId = idOf(object.path("charge"));
                        if (chargeId == null) {
                            counters.count(objectId, ImportCounters.Result.NOT_A_PURCHASE, null);
                            return;
                        }
                        if (!chargesSeen.add(chargeId)) {
                            // Another refund of this page read the same charge, which carries every refund of it.
                            counters.count(objectId, ImportCounters.Result.UNCHANGED, null);
                            return;
                        }
                        JsonNode charge = withRetries(() -> api.charge(chargeId), "reading charge " + chargeId);
                        events.add(event("charge.refunded", charge, object.path("created").asLong(readAt)));
                    }
                    case DONE -> throw new IllegalStateException("no objects when done");
                }
            } catch (Stopped e) {
                stop.compareAndSet(null, e.getMessage());
                return;
            } catch (ApiException e) {
                counters.count(objectId, ImportCounters.Result.FAILED, e.errorCode().code() + ": " + e.getMessage());
                return;
            }
            IngestOptions ingest = new IngestOptions(appUserId, options.deliverEvents(), reads);
            ImportCounters.Result result = ImportCounters.Result.UNCHANGED;
            String reason = null;
            for (ObjectNode event : events) {
                Outcome outcome = apply(event, ingest);
                if (outcome == null) {
                    return; // the run stops: this object is applied again by the next run
                }
                if (rank(outcome.result()) > rank(result)) {
                    result = outcome.result();
                    reason = outcome.reason();
                }
            }
            counters.count(objectId, result, reason);
        }

        /** One event through the pipeline (or, in a dry run, its preview), retried while Stripe asks to wait. */
        private Outcome apply(ObjectNode event, IngestOptions ingest) {
            String payload = Json.write(event);
            for (int attempt = 1; ; attempt++) {
                if (stop.get() != null) {
                    return null;
                }
                Outcome outcome;
                ErrorCode error;
                if (options.dryRun()) {
                    Preview preview = webhooks.preview(app, payload, ingest);
                    outcome = Outcome.of(preview);
                    error = preview.error();
                } else {
                    WebhookResult result = webhooks.ingestImported(app, payload, ingest);
                    outcome = Outcome.of(result);
                    error = result.error();
                }
                if (outcome.result() != ImportCounters.Result.FAILED || !isStripeUnavailable(error)) {
                    return outcome;
                }
                int limit = error == ErrorCode.STRIPE_RATE_LIMITED ? RATE_LIMIT_RETRIES : UNAVAILABLE_RETRIES;
                if (attempt > limit) {
                    stop.compareAndSet(null, "Stripe kept failing (" + error.code() + "): " + outcome.reason());
                    return null;
                }
                waitBeforeRetry(error == ErrorCode.STRIPE_RATE_LIMITED ? DEFAULT_RATE_LIMIT_WAIT : UNAVAILABLE_WAIT,
                        error == ErrorCode.STRIPE_RATE_LIMITED);
            }
        }

        /** A read of Stripe, retried on 429 (after Retry-After) and briefly on 5xx; a key refused stops at once. */
        private <T> T withRetries(java.util.function.Supplier<T> read, String what) {
            for (int attempt = 1; ; attempt++) {
                try {
                    return read.get();
                } catch (ApiException e) {
                    if (e.errorCode() == ErrorCode.STRIPE_API_KEY_INVALID
                            || e.errorCode() == ErrorCode.STRIPE_API_KEY_NOT_CONFIGURED) {
                        throw new Stopped(e.getMessage());
                    }
                    if (!isStripeUnavailable(e.errorCode())) {
                        if (what.startsWith("listing")) {
                            throw new Stopped(e.errorCode().code() + " " + what + ": " + e.getMessage());
                        }
                        throw e;
                    }
                    boolean rateLimited = e.errorCode() == ErrorCode.STRIPE_RATE_LIMITED;
                    if (attempt > (rateLimited ? RATE_LIMIT_RETRIES : UNAVAILABLE_RETRIES)) {
                        throw new Stopped("Stripe kept failing " + what + " (" + e.errorCode().code() + "): "
                                + e.getMessage());
                    }
                    Duration wait = rateLimited && e.extra().get("retry_after_seconds") instanceof Number n
                            ? Duration.ofSeconds(n.longValue()) : rateLimited ? DEFAULT_RATE_LIMIT_WAIT
                            : UNAVAILABLE_WAIT;
                    waitBeforeRetry(wait, rateLimited);
                }
            }
        }

        private void waitBeforeRetry(Duration wait, boolean rateLimited) {
            if (rateLimited) {
                counters.rateLimitWait();
            }
            try {
                Thread.sleep(wait.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Stopped("interrupted");
            }
        }
    }

    /** Which result an object with several events reports: a failure first, then a missing App User ID. */
    private static int rank(ImportCounters.Result result) {
        return switch (result) {
            case UNCHANGED -> 0;
            case NOT_A_PURCHASE -> 1;
            case IMPORTED -> 2;
            case WITHOUT_APP_USER_ID -> 3;
            case FAILED -> 4;
        };
    }

    /** What became of one event, as counted, with why when it was not imported. */
    private record Outcome(ImportCounters.Result result, String reason) {
        static Outcome of(WebhookResult result) {
            if (result.outcome() == WebhookOutcome.PROCESSED) {
                return new Outcome(result.purchaseId() == null ? ImportCounters.Result.NOT_A_PURCHASE
                        : ImportCounters.Result.IMPORTED, null);
            }
            if (result.outcome() == WebhookOutcome.STALE || result.outcome() == WebhookOutcome.DUPLICATE) {
                return new Outcome(ImportCounters.Result.UNCHANGED, null);
            }
            if (result.error() == ErrorCode.APP_USER_ID_NOT_DETECTED) {
                return new Outcome(ImportCounters.Result.WITHOUT_APP_USER_ID, result.message());
            }
            if (result.outcome() == WebhookOutcome.PARKED) {
                return new Outcome(ImportCounters.Result.NOT_A_PURCHASE, result.message());
            }
            return new Outcome(ImportCounters.Result.FAILED,
                    (result.error() == null ? "failed" : result.error().code()) + ": " + result.message());
        }

        static Outcome of(Preview preview) {
            return switch (preview.outcome()) {
                case WOULD_CREATE, WOULD_CHANGE -> new Outcome(ImportCounters.Result.IMPORTED, null);
                case UNCHANGED -> new Outcome(ImportCounters.Result.UNCHANGED, null);
                case NO_APP_USER_ID -> new Outcome(ImportCounters.Result.WITHOUT_APP_USER_ID, preview.message());
                case NO_PURCHASE, IGNORED -> new Outcome(ImportCounters.Result.NOT_A_PURCHASE, preview.message());
                case FAILED -> new Outcome(ImportCounters.Result.FAILED,
                        (preview.error() == null ? "failed" : preview.error().code()) + ": " + preview.message());
            };
        }
    }

    private static boolean isStripeUnavailable(ErrorCode error) {
        return error == ErrorCode.STRIPE_RATE_LIMITED || error == ErrorCode.STRIPE_API_ERROR
                || error == ErrorCode.STRIPE_API_KEY_INVALID;
    }

    /**
     * The event a webhook would have carried for {@code object}, with an id made from the type and the object's
     * content: the same object read again is the same event.
     */
    static ObjectNode event(String type, JsonNode object, long created) {
        String objectJson = Json.write(object);
        ObjectNode event = Json.object();
        event.put("id", "evt_imp_" + object.path("id").asText() + "_" + hash(type + "\n" + objectJson));
        event.put("object", "event");
        event.put("type", type);
        event.put("created", created);
        event.put("livemode", object.path("livemode").asBoolean(false));
        event.putObject("data").set("object", object);
        return event;
    }

    private static String hash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An invoice's time: when it was paid, else when it was made (what its webhook would have been dated near). */
    private static long timeOf(JsonNode invoice) {
        JsonNode paidAt = invoice.path("status_transitions").path("paid_at");
        return paidAt.isIntegralNumber() ? paidAt.asLong() : invoice.path("created").asLong();
    }

    private static String idOf(JsonNode idOrObject) {
        if (idOrObject.isTextual()) {
            return idOrObject.asText();
        }
        return idOrObject.path("id").isTextual() ? idOrObject.path("id").asText() : null;
    }
}
