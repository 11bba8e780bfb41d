package io.substate.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.substate.config.Settings;
import io.substate.http.ApiException;
import io.substate.http.ErrorCode;
import io.substate.testing.TestDb;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Group commit on real databases: batched units commit together, and one failing unit leaves its neighbours whole. */
@ParameterizedClass
@EnumSource(TestDb.class)
class GroupCommitTest {
    @Parameter
    TestDb db;

    Database database;
    GroupCommit commits;

    @BeforeEach
    void open() {
        database = Database.open(Settings.fromEnvironment(Map.of("SUBSTATE_DATABASE_URL", db.newDatabaseUrl())));
        commits = new GroupCommit(database.jdbi(), 2);
    }

    @AfterEach
    void close() {
        commits.close();
        database.close();
    }

    int count() {
        return database.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM server_settings").mapTo(Integer.class).one());
    }

    @Test
    void everyUnitIsCommittedBeforeItsCallerIsReleased() {
        List<CompletableFuture<String>> futures = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            String name = "k" + i;
            futures.add(commits.submit(name, h -> {
                h.createUpdate("INSERT INTO server_settings (name, value) VALUES (:n, 'v')").bind("n", name).execute();
                return name;
            }));
        }
        for (CompletableFuture<String> f : futures) {
            String name = f.join();
            // Visible from another connection the moment the caller is released.
            java.util.Optional<String> stored = database.jdbi().withHandle(h -> h.createQuery(
                    "SELECT value FROM server_settings WHERE name = :n").bind("n", name).mapTo(String.class).findOne());
            assertThat(stored).contains("v");
        }
        assertThat(count()).isEqualTo(300);
    }

    @Test
    void aFailingUnitIsRolledBackAloneAndItsErrorReachesOnlyItsCaller() {
        CompletableFuture<Object> good1 = commits.submit("a", h -> h.createUpdate(
                "INSERT INTO server_settings (name, value) VALUES ('good1', 'v')").execute());
        CompletableFuture<Object> bad = commits.submit("b", h -> {
            h.createUpdate("INSERT INTO server_settings (name, value) VALUES ('half-written', 'v')").execute();
            throw new ApiException(ErrorCode.INVALID_PARAMETER, "refused");
        });
        CompletableFuture<Object> good2 = commits.submit("c", h -> h.createUpdate(
                "INSERT INTO server_settings (name, value) VALUES ('good2', 'v')").execute());

        good1.join();
        good2.join();
        assertThatThrownBy(bad::join).hasCauseInstanceOf(ApiException.class);
        List<String> names = database.jdbi().withHandle(h -> h.createQuery("SELECT name FROM server_settings ORDER BY name")
                .mapTo(String.class).list());
        assertThat(names).containsExactly("good1", "good2");
    }

    @Test
    void aUnitThatBreaksAConstraintIsRetriedAloneAndFailsWithoutHarmingTheBatch() {
        commits.execute("x", h -> h.createUpdate("INSERT INTO server_settings (name, value) VALUES ('dup', 'v')").execute());
        CompletableFuture<Object> conflicting = commits.submit("a", h -> h.createUpdate(
                "INSERT INTO server_settings (name, value) VALUES ('dup', 'again')").execute());
        CompletableFuture<Object> fine = commits.submit("b", h -> h.createUpdate(
                "INSERT INTO server_settings (name, value) VALUES ('fine', 'v')").execute());

        fine.join();
        assertThatThrownBy(conflicting::join).isNotNull();
        assertThat(count()).isEqualTo(2);
    }
}
