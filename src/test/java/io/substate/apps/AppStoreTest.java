package io.substate.apps;

import static org.assertj.core.api.Assertions.assertThat;

import io.substate.storage.Database;
import io.substate.testing.TestDb;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The management URLs read with an IN list, on both databases: the HTTP tests ask for one app at a time (a customer
 * with subscriptions from several apps of a project is not among them).
 */
@ParameterizedClass
@EnumSource(TestDb.class)
class AppStoreTest {
    @Parameter
    TestDb db;

    Database database;

    @BeforeEach
    void open() {
        database = db.openNewDatabase();
        TestDb.insertProjectAndApp(database.jdbi());
        database.jdbi().useHandle(h -> h.execute("INSERT INTO apps (id, project_id, name, type, public_api_key, "
                + "management_url, created_at) VALUES ('app2', 'proj1', 'B', 'stripe', 'strp_2', 'https://portal/2', 0), "
                + "('app3', 'proj1', 'C', 'stripe', 'strp_3', 'https://portal/3', 0)"));
    }

    @AfterEach
    void close() {
        database.close();
    }

    @Test
    void eachAppThatExistsWithItsUrlOrNull() {
        database.jdbi().useHandle(h -> {
            Map<String, String> urls = AppStore.managementUrls(h, List.of("app1", "app3", "app_missing"));

            assertThat(urls).containsOnlyKeys("app1", "app3");
            assertThat(urls.get("app1")).isNull();
            assertThat(urls.get("app3")).isEqualTo("https://portal/3");
            assertThat(AppStore.managementUrls(h, List.of("app2"))).containsExactly(Map.entry("app2", "https://portal/2"));
        });
    }

    @Test
    void noIdsReadNothing() {
        database.jdbi().useHandle(h -> assertThat(AppStore.managementUrls(h, List.of())).isEmpty());
    }
}
