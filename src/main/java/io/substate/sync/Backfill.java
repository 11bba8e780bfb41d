package io.substate.sync;

import io.substate.apps.App;
import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import io.substate.stripe.EventPage;
import io.substate.ingest.WebhookOutcome;
import io.substate.stripe.StripeApi;
import io.substate.stripe.StripeEvents;
import io.substate.ingest.StripeWebhookService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Recovers missed webhooks: reads the app's events of the six accepted types from Stripe's Events API and feeds each
 * through the webhook path ({@link StripeWebhookService#ingestVerified}); events already received are duplicates and
 * change nothing.
 *
 * <p>Stripe lists events newest first and keeps 30 days of them. The range is walked one day at a time from the
 * oldest, and each day's pages are applied oldest first: the state machine does not need the order, but outgoing
 * events then read as they happened, and memory holds one day of events at most.
 */
public final class Backfill {
    /** Stripe's Events API returns events of the last 30 days only. */
    public static final Duration STRIPE_EVENTS_WINDOW = Duration.ofDays(30);
    public static final int MAX_PAGE_SIZE = 100;
    private static final Duration WINDOW = Duration.ofDays(1);
    private static final int RATE_LIMIT_RETRIES = 5;
    private static final Duration DEFAULT_RATE_LIMIT_WAIT = Duration.ofSeconds(2);

    private final StripeWebhookService webhooks;
    private final String stripeApiBase;
    private final Clock clock;

    public Backfill(StripeWebhookService webhooks, String stripeApiBase, Clock clock) {
        this.webhooks = webhooks;
        this.stripeApiBase = stripeApiBase;
        this.clock = clock;
    }

    /** Parses {@code since} (ISO-8601 time or date, or a duration back from now) and runs. */
    public BackfillSummary run(App app, String since, int pageSize, Consumer<String> progress) {
        return run(app, BackfillSince.parse(since, clock.instant()), pageSize, progress);
    }

    /**
     * Backfills events created since {@code requestedSince} (clamped to Stripe's 30 days), reporting each page to
     * {@code progress}.
     *
     * @throws ApiException a {@code STRIPE_*} code when the events cannot be listed; its {@code summary} extra says
     *     what was done before
     */
    public BackfillSummary run(App app, Instant requestedSince, int pageSize, Consumer<String> progress) {
        if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
            throw ApiException.invalid("'page_size' must be from 1 to " + MAX_PAGE_SIZE);
        }
        StripeApi api = StripeApi.forApp(stripeApiBase, app.stripeApiKey());
        Instant now = clock.instant();
        Instant oldest = now.minus(STRIPE_EVENTS_WINDOW);
        Tally tally = new Tally(app.id(), requestedSince.isBefore(oldest) ? oldest : requestedSince, requestedSince);
        if (tally.since.isAfter(requestedSince)) {
            progress.accept("Stripe keeps 30 days of events: starting at " + tally.since + " instead of "
                    + requestedSince);
        }
        try {
            boolean last = false;
            for (Instant start = tally.since; !last; start = start.plus(WINDOW)) {
                Instant end = start.plus(WINDOW);
                // The last window stays open-ended, so events created while the backfill runs are included too; a
                // sliver of less than a minute left after a full window is folded into it.
                last = end.isAfter(now.minusSeconds(60));
                Long createdLt = last ? null : end.getEpochSecond();
                List<String> events = fetchWindow(api, start.getEpochSecond(), createdLt, pageSize, tally, progress);
                Collections.reverse(events);
                events.forEach(raw -> tally.count(ingest(app, raw)));
                if (!events.isEmpty()) {
                    progress.accept("  applied " + events.size() + " events from " + start + ": " + tally.totals());
                }
            }
        } catch (ApiException e) {
            throw new ApiException(e.errorCode(), "Backfill stopped: " + e.getMessage() + ". Events applied before"
                    + " stopping are kept; run the backfill again to continue (duplicates change nothing).",
                    Map.of("summary", tally.summary().toJson()));
        }
        return tally.summary();
    }

    private List<String> fetchWindow(StripeApi api, long createdGte, Long createdLt, int pageSize, Tally tally,
            Consumer<String> progress) {
        List<String> events = new ArrayList<>();
        String after = null;
        while (true) {
            EventPage page = fetchPage(api, createdGte, createdLt, after, pageSize, tally, progress);
            tally.pages++;
            tally.fetched += page.rawEvents().size();
            events.addAll(page.rawEvents());
            progress.accept("page " + tally.pages + ": " + page.rawEvents().size() + " events created from "
                    + Instant.ofEpochSecond(createdGte) + (page.hasMore() ? ", more to come" : ""));
            if (!page.hasMore() || page.lastEventId().isEmpty()) {
                return events;
            }
            after = page.lastEventId().get();
        }
    }

    private EventPage fetchPage(StripeApi api, long createdGte, Long createdLt, String after, int pageSize, Tally tally,
            Consumer<String> progress) {
        for (int attempt = 1; ; attempt++) {
            try {
                return api.events(createdGte, createdLt, StripeEvents.ACCEPTED_TYPES, after, pageSize);
            } catch (ApiException e) {
                if (e.errorCode() != ErrorCode.STRIPE_RATE_LIMITED || attempt > RATE_LIMIT_RETRIES) {
                    throw e;
                }
                Duration wait = e.extra().get("retry_after_seconds") instanceof Number n
                        ? Duration.ofSeconds(n.longValue()) : DEFAULT_RATE_LIMIT_WAIT;
                tally.rateLimitWaits++;
                progress.accept("Stripe asked to slow down; waiting " + wait.toSeconds() + " s");
                sleep(wait);
            }
        }
    }

    private WebhookOutcome ingest(App app, String raw) {
        try {
            return webhooks.ingestVerified(app, raw).outcome();
        } catch (ApiException e) {
            // The webhook path answers what Stripe would be told; anything else thrown on the way failed this event.
            return WebhookOutcome.FAILED;
        }
    }

    private static void sleep(Duration wait) {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(ErrorCode.STRIPE_API_ERROR, "interrupted while waiting for Stripe's rate limit");
        }
    }

    /** Counts as the backfill goes. */
    private static final class Tally {
        final String appId;
        final Instant since;
        final Instant requestedSince;
        int pages;
        int fetched;
        int processed;
        int stale;
        int duplicates;
        int parked;
        int failed;
        int rateLimitWaits;

        Tally(String appId, Instant since, Instant requestedSince) {
            this.appId = appId;
            this.since = since;
            this.requestedSince = requestedSince;
        }

        void count(WebhookOutcome outcome) {
            switch (outcome) {
                case PROCESSED -> processed++;
                case STALE -> stale++;
                case DUPLICATE -> duplicates++;
                case PARKED -> parked++;
                case FAILED -> failed++;
            }
        }

        String totals() {
            return processed + " processed, " + stale + " stale, " + duplicates + " duplicates, " + parked
                    + " parked, " + failed + " failed so far";
        }

        BackfillSummary summary() {
            return new BackfillSummary(appId, since, requestedSince, pages, fetched, processed, stale, duplicates,
                    parked, failed, rateLimitWaits);
        }
    }
}
