package io.substate.sync;

import static io.substate.sync.SyncWorld.now;
import static io.substate.sync.SyncWorld.subscription;
import static io.substate.testing.StripeEventBuilder.uniqueId;
import static io.substate.testing.StripeObjects.event;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.stripe.StripeEvents;
import io.substate.testing.FakeStripe;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.HttpResponse;
import io.substate.testing.StripeObjects;
import io.substate.testing.TestDb;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code POST …/apps/{app_id}/actions/backfill}: missed events read from Stripe's Events API (paged, six types, 30
 * days) go through the webhook path; events already received are duplicates and change nothing.
 */
@ParameterizedClass
@EnumSource(TestDb.class)
class BackfillTest {
    private static final long DAY = 86_400;

    @Parameter
    TestDb db;

    SyncWorld world;
    StripeApp app;

    @BeforeEach
    void start() {
        world = new SyncWorld(db, "1h", "1m");
        app = world.app(FakeStripe.API_KEY);
    }

    @AfterEach
    void stop() {
        world.close();
    }

    HttpResponse backfill(Object body) {
        return world.server.admin().post("/v2/projects/" + app.projectId() + "/apps/" + app.appId()
                + "/actions/backfill", body);
    }

    JsonNode loggedEvent(String eventId) {
        return world.server.admin().get("/v2/projects/" + app.projectId() + "/apps/" + app.appId()
                + "/stripe_events/" + eventId).json();
    }

    /** Events of three subscriptions; one was delivered by webhook before, the others were missed. */
    record Story(String customerA, String customerB, String received, String missedCancellation, String parked,
            List<String> all) {}

    Story story() {
        long now = now();
        String customerA = uniqueId("cus_");
        String customerB = uniqueId("cus_");
        String subA = uniqueId("sub_");
        String subB = uniqueId("sub_");
        long startA = now - 3 * DAY;
        String received = event(uniqueId("evt_"), "customer.subscription.created", startA,
                subscription(subA, customerA, startA, startA + 30 * DAY).json());
        world.deliver(app, received);
        String cancellation = event(uniqueId("evt_"), "customer.subscription.updated", now - 2 * DAY,
                subscription(subA, customerA, startA, startA + 30 * DAY).cancelAtPeriodEnd(true).json());
        long startB = now - 2 * DAY + 100;
        String createdB = event(uniqueId("evt_"), "customer.subscription.created", startB,
                subscription(subB, customerB, startB, startB + 30 * DAY).json());
        String parked = event(uniqueId("evt_"), "invoice.updated", now - DAY,
                StripeObjects.invoice(uniqueId("in_")).subscription(uniqueId("sub_")).customer(uniqueId("cus_"))
                        .status("open").json());
        List<String> restatements = new java.util.ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            restatements.add(event(uniqueId("evt_"), "customer.subscription.updated", now - DAY + i * 60,
                    subscription(subB, customerB, startB, startB + 30 * DAY).json()));
        }
        List<String> all = new java.util.ArrayList<>(List.of(received, cancellation, createdB, parked));
        all.addAll(restatements);
        all.forEach(world.stripe::addEvent);
        // Neither of these is listed: one is older than Stripe's 30 days, the other is not one of the six types.
        world.stripe.addEvent(event(uniqueId("evt_"), "customer.subscription.updated", now - 40 * DAY,
                subscription(subA, customerA, startA, startA + 30 * DAY).status("canceled").json()));
        world.stripe.addEvent(event(uniqueId("evt_"), "invoice.paid", now - DAY,
                StripeObjects.invoice(uniqueId("in_")).subscription(subB).customer(customerB).json()));
        return new Story(customerA, customerB, id(received), id(cancellation), id(parked), all);
    }

    static String id(String rawEvent) {
        return io.substate.common.Json.read(rawEvent).get("id").asText();
    }

    @Test
    void missedEventsAreAppliedAndReceivedOnesAreDuplicates() {
        Story story = story();

        HttpResponse response = backfill(Map.of("since", "45d", "page_size", 3));

        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        JsonNode summary = response.json();
        assertThat(summary.get("fetched").asInt()).isEqualTo(8);
        assertThat(summary.get("processed").asInt()).isEqualTo(6);
        assertThat(summary.get("duplicates").asInt()).isEqualTo(1);
        assertThat(summary.get("parked").asInt()).isEqualTo(1);
        assertThat(summary.get("failed").asInt()).isZero();
        assertThat(summary.get("clamped_to_stripe_window").asBoolean()).isTrue();
        assertThat(Instant.parse(summary.get("since").asText()))
                .isAfter(Instant.now().minusSeconds(30 * DAY + 60)).isBefore(Instant.now().minusSeconds(30 * DAY - 60));
        assertThat(summary.get("message").asText()).contains("30 days");

        List<FakeStripe.RecordedRequest> lists = world.stripe.requestsTo("/v1/events");
        assertThat(lists).allSatisfy(r -> {
            assertThat(r.params().get("types[]")).containsExactlyInAnyOrderElementsOf(StripeEvents.ACCEPTED_TYPES);
            assertThat(r.params().get("limit")).containsExactly("3");
            assertThat(r.apiKey()).isEqualTo(FakeStripe.API_KEY);
        });
        assertThat(lists).as("a day with more than 3 events was read in several pages")
                .anySatisfy(r -> assertThat(r.params()).containsKey("starting_after"));
        assertThat(summary.get("pages").asInt()).isEqualTo(lists.size());

        assertThat(world.outgoingTypes(app, story.customerA())).containsExactly("INITIAL_PURCHASE", "CANCELLATION");
        assertThat(world.outgoingTypes(app, story.customerB())).containsExactly("INITIAL_PURCHASE");
        assertThat(loggedEvent(story.missedCancellation()).get("status").asText()).isEqualTo("processed");
        assertThat(loggedEvent(story.received()).get("duplicate_deliveries").asInt()).isEqualTo(1);
        assertThat(loggedEvent(story.parked()).get("status").asText()).isEqualTo("parked");
    }

    @Test
    void aSecondBackfillChangesNothing() {
        Story story = story();
        backfill(Map.of("since", "4d", "page_size", 100));

        JsonNode again = backfill(Map.of("since", Instant.now().minusSeconds(4 * DAY).toString())).json();

        assertThat(again.get("fetched").asInt()).isEqualTo(8);
        assertThat(again.get("duplicates").asInt()).isEqualTo(7);
        assertThat(again.get("parked").asInt()).as("still waiting for its purchase").isEqualTo(1);
        assertThat(again.get("processed").asInt()).isZero();
        assertThat(again.get("clamped_to_stripe_window").asBoolean()).isFalse();
        assertThat(world.outgoingTypes(app, story.customerA())).containsExactly("INITIAL_PURCHASE", "CANCELLATION");
    }

    @Test
    void rateLimitingWaitsForRetryAfterAndGoesOn() {
        story();
        world.stripe.failNext(429, FakeStripe.error("rate_limit_error", "rate_limit", "Too many requests", null),
                Map.of("Retry-After", "1"));
        long started = System.currentTimeMillis();

        JsonNode summary = backfill(Map.of("since", "4d")).json();

        assertThat(summary.get("rate_limit_waits").asInt()).isEqualTo(1);
        assertThat(summary.get("fetched").asInt()).isEqualTo(8);
        List<FakeStripe.RecordedRequest> lists = world.stripe.requestsTo("/v1/events");
        assertThat(lists.get(1).receivedAtMillis() - lists.get(0).receivedAtMillis()).isGreaterThanOrEqualTo(950);
        assertThat(lists.get(1).query()).isEqualTo(lists.get(0).query());
        assertThat(System.currentTimeMillis() - started).isGreaterThanOrEqualTo(1_000);
    }

    @Test
    void aStripeFailureStopsWithTheSummarySoFar() {
        story();
        world.stripe.failNext(500);

        HttpResponse response = backfill(Map.of("since", "2d"));

        assertThat(response.status()).isEqualTo(424);
        assertThat(response.json().get("code").asText()).isEqualTo("stripe_api_error");
        assertThat(response.json().get("message").asText()).contains("run the backfill again");
        assertThat(response.json().get("summary").get("fetched").asInt()).isZero();
    }

    @Test
    void badRequestsAreClearErrors() {
        assertThat(backfill(Map.of()).json().get("message").asText()).contains("'since' is required");
        HttpResponse words = backfill(Map.of("since", "yesterday"));
        assertThat(words.status()).isEqualTo(400);
        assertThat(words.json().get("code").asText()).isEqualTo("invalid_parameter");
        assertThat(words.json().get("message").asText()).contains("ISO-8601", "3d");
        assertThat(backfill(Map.of("since", Instant.now().plusSeconds(3600).toString())).json().get("message")
                .asText()).contains("future");
        assertThat(backfill(Map.of("since", "1d", "page_size", 0)).status()).isEqualTo(400);
        assertThat(backfill(Map.of("since", "1d", "pages", 2)).status()).isEqualTo(400);
        assertThat(world.server.admin().post("/v2/projects/" + app.projectId() + "/apps/app_unknown/actions/backfill",
                Map.of("since", "1d")).status()).isEqualTo(404);
        assertThat(world.server.anonymous().post("/v2/projects/" + app.projectId() + "/apps/" + app.appId()
                + "/actions/backfill", Map.of("since", "1d")).status()).isEqualTo(401);

        StripeApp keyless = world.app(null);
        HttpResponse noKey = world.server.admin().post("/v2/projects/" + keyless.projectId() + "/apps/"
                + keyless.appId() + "/actions/backfill", Map.of("since", "1d"));
        assertThat(noKey.status()).isEqualTo(422);
        assertThat(noKey.json().get("code").asText()).isEqualTo("stripe_api_key_not_configured");
        assertThat(world.stripe.requestsTo("/v1/events")).isEmpty();
    }
}
