package io.substate.sync;

import static io.substate.sync.SyncWorld.now;
import static io.substate.sync.SyncWorld.subscription;
import static io.substate.testing.StripeEventBuilder.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.substate.testing.FakeStripe;
import io.substate.testing.Fixtures.StripeApp;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Two instances on one PostgreSQL refresh the same subscriptions without double work: each subscription is read once
 * per refresh round, however the two workers' ticks interleave.
 */
class RefreshInstancesTest {
    private static final long DAY = 86_400;
    private static final int SUBSCRIPTIONS = 30;

    @Test
    void twoInstancesReadEachDueSubscriptionOnce() {
        try (SyncWorld world = new SyncWorld(TestDb.POSTGRESQL, "3s", "20ms");
                TestServer second = world.server.startAnotherInstance()) {
            StripeApp app = world.app(FakeStripe.API_KEY);
            long start = now() - 60;
            List<String> subs = new ArrayList<>();
            for (int i = 0; i < SUBSCRIPTIONS; i++) {
                String sub = uniqueId("sub_");
                String customer = uniqueId("cus_");
                subs.add(sub);
                world.stripe.put(subscription(sub, customer, start, start + 30 * DAY).json());
                world.deliverCreated(app, subscription(sub, customer, start, start + 30 * DAY).json(), now() - 5);
            }

            await().atMost(Duration.ofSeconds(20)).until(() -> subs.stream().allMatch(s -> !world.readsOf(s).isEmpty()));

            Map<String, Long> reads = world.stripe.requests().stream()
                    .filter(r -> r.path().startsWith("/v1/subscriptions/"))
                    .collect(Collectors.groupingBy(r -> r.path().substring("/v1/subscriptions/".length()),
                            Collectors.counting()));
            assertThat(reads).as("one read per subscription in the first round").containsOnlyKeys(subs)
                    .allSatisfy((sub, count) -> assertThat(count).isEqualTo(1L));
            // Both workers tick every 20 ms over the same due rows: each got a share, and no row was read twice.
            assertThat(scrape(world.server)).as("first instance's refreshes").isPositive();
            assertThat(scrape(second)).as("second instance's refreshes").isPositive();
        }
    }

    /** Refreshes this instance made, from its own /metrics. */
    private static double scrape(TestServer server) {
        return server.anonymous().get("/metrics").body().lines()
                .filter(line -> line.startsWith("substate_stripe_refreshes_total{outcome=\"refreshed\"}"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }
}
