package io.substate.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.substate.storage.Database;
import io.substate.storage.DatabaseLocal;
import io.substate.testing.TestDb;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A new delivery is leased to this instance's worker by the transaction that creates it, and handed to the worker
 * once that transaction commits ({@link DeliveryHandoff}), only while the worker has room; otherwise it is created
 * unleased, for any claim. Checked on the outbox itself, on both databases; the worker's side (sending the handed-off
 * deliveries, releasing those it cannot start) is in DeliveryConcurrencyTest.
 */
@ParameterizedClass
@EnumSource(TestDb.class)
class DeliveryHandoffTest {
    private static final long NOW = 1_800_000_000_000L;
    private static final long LEASE = 65_000;

    @Parameter
    TestDb db;

    Database database;

    @BeforeEach
    void open() {
        database = db.openNewDatabase();
        TestDb.insertProjectAndApp(database.jdbi());
        database.jdbi().useHandle(h -> {
            for (String integration : List.of("whi_a", "whi_b")) {
                h.execute("INSERT INTO webhook_integrations (id, project_id, name, url, signing_secret, created_at) "
                        + "VALUES (?, 'proj1', ?, 'https://example.com/hooks', 'sealed', 0)", integration, integration);
            }
            h.execute("INSERT INTO outgoing_events (id, project_id, app_id, type, environment, sequence, payload, "
                    + "created_at) VALUES ('evt1', 'proj1', 'app1', 'INITIAL_PURCHASE', 'SANDBOX', 1, '{}', 0)");
        });
    }

    @AfterEach
    void close() {
        database.close();
    }

    @Test
    void aDeliveryCreatedWhileTheWorkerHasRoomIsLeasedToItAndHandedOverAfterTheCommit() {
        DeliveryHandoff handoff = attach(1);

        database.jdbi().useTransaction(h -> {
            enqueue(h);
            assertThat(handoff.take()).as("nothing is handed over before the commit").isEmpty();
        });

        assertThat(deliveries()).containsExactlyInAnyOrder("whi_a wrk_test " + (NOW + LEASE),
                "whi_b wrk_test " + (NOW + LEASE));
        assertThat(handoff.take()).containsExactlyInAnyOrderElementsOf(ids());
        assertThat(handoff.take()).as("each is handed over once").isEmpty();
    }

    @Test
    void aDeliveryCreatedWhileTheWorkerHasNoRoomIsLeftForAnyClaim() {
        DeliveryHandoff handoff = attach(0);

        database.jdbi().useTransaction(this::enqueue);

        assertThat(deliveries()).containsExactlyInAnyOrder("whi_a none none", "whi_b none none");
        assertThat(handoff.take()).isEmpty();
    }

    @Test
    void aDeliveryToAnIntegrationAtItsLimitIsLeftForAnyClaimWhileTheOthersAreHandedOver() {
        DeliveryHandoff handoff = attach(1);
        handoff.full("whi_a", true);

        database.jdbi().useTransaction(this::enqueue);

        assertThat(deliveries()).containsExactlyInAnyOrder("whi_a none none", "whi_b wrk_test " + (NOW + LEASE));
        assertThat(handoff.take()).containsExactly(idOf("whi_b"));

        handoff.full("whi_a", false);
        database.jdbi().useHandle(h -> h.execute("DELETE FROM deliveries"));
        database.jdbi().useTransaction(this::enqueue);
        assertThat(deliveries()).as("room again").containsExactlyInAnyOrder("whi_a wrk_test " + (NOW + LEASE),
                "whi_b wrk_test " + (NOW + LEASE));
    }

    @Test
    void withoutAWorkerOnThisDatabaseNothingIsLeased() {
        database.jdbi().useTransaction(this::enqueue);

        assertThat(deliveries()).containsExactlyInAnyOrder("whi_a none none", "whi_b none none");
    }

    @Test
    void aTransactionThatRollsBackHandsNothingOver() {
        DeliveryHandoff handoff = attach(1);

        database.jdbi().useHandle(h -> {
            h.begin();
            enqueue(h);
            h.rollback();
        });

        assertThat(deliveries()).isEmpty();
        assertThat(handoff.take()).isEmpty();
    }

    @Test
    void aHandedOverDeliveryIsReleasedOnlyByItsLeaseholderAndOnlyWhilePending() {
        attach(1);
        database.jdbi().useTransaction(this::enqueue);
        List<String> ids = ids();

        database.jdbi().useTransaction(h -> {
            DeliveryStore.release(h, "wrk_someone_else", ids);
            h.execute("UPDATE deliveries SET status = 'succeeded' WHERE integration_id = 'whi_b'");
            DeliveryStore.release(h, "wrk_test", ids);
        });

        assertThat(deliveries()).containsExactlyInAnyOrder("whi_a none none", "whi_b wrk_test " + (NOW + LEASE));
    }

    private DeliveryHandoff attach(int freeSlots) {
        DeliveryHandoff handoff = new DeliveryHandoff("wrk_test", LEASE, () -> freeSlots);
        DatabaseLocal.attach(database.jdbi(), DeliveryHandoff.class, handoff);
        return handoff;
    }

    private void enqueue(org.jdbi.v3.core.Handle h) {
        DeliveryStore.enqueueForIntegrations(h, "evt1", "proj1", "app1", "SANDBOX", "INITIAL_PURCHASE", NOW);
    }

    /** Each delivery as "integration claimed_by claimed_until". */
    private List<String> deliveries() {
        return database.jdbi().withHandle(h -> h.createQuery("SELECT integration_id, claimed_by, claimed_until "
                        + "FROM deliveries WHERE outgoing_event_id = 'evt1'")
                .map((rs, ctx) -> rs.getString(1) + " " + (rs.getString(2) == null ? "none" : rs.getString(2)) + " "
                        + (rs.getObject(3) == null ? "none" : rs.getLong(3)))
                .list());
    }

    private String idOf(String integration) {
        return database.jdbi().withHandle(h -> h.createQuery("SELECT id FROM deliveries WHERE integration_id = ?")
                .bind(0, integration).mapTo(String.class).one());
    }

    private List<String> ids() {
        return database.jdbi().withHandle(h -> h.createQuery("SELECT id FROM deliveries").mapTo(String.class).list());
    }
}
