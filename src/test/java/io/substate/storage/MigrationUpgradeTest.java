package io.substate.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.substate.config.Settings;
import io.substate.testing.TestDb;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationVersion;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Databases already migrated keep opening. At start Flyway validates every applied migration against its script by
 * version, description, type, name and a checksum of the script's text, and refuses to start on a difference. So a
 * script once applied must never change, wherever it lives (db/common, or rendered from src/main/migration-templates,
 * see pom.xml). The test resources db/history-2026-12-06-*.csv hold what such databases hold: the history that the
 * scripts of that day wrote.
 */
@ParameterizedClass
@EnumSource(TestDb.class)
class MigrationUpgradeTest {
    /** The last version of the recorded history. */
    private static final String RECORDED_UP_TO = "11";
    private static final String CSV_HEADER = "version,description,type,script,checksum";

    @Parameter
    TestDb db;

    @Test
    void aDatabaseMigratedByTheRecordedScriptsOpensAndTakesWrites() throws Exception {
        String url = db.newDatabaseUrl();
        Flyway.configure().dataSource(url, null, null).locations(dialect().migrations()).target(RECORDED_UP_TO).load()
                .migrate();
        List<HistoryRow> recorded = recordedHistory();
        assertThat(history(url)).containsExactlyElementsOf(recorded);

        // The server's path: validate what is applied, migrate the rest.
        try (Database database = Database.open(Settings.fromEnvironment(db.env(url)))) {
            assertThat(database.isReady()).isTrue();
            TestDb.insertProjectAndApp(database.jdbi());
            int apps = database.jdbi().withHandle(h -> h.createQuery(
                    "SELECT COUNT(*) FROM apps WHERE project_id = 'proj1'").mapTo(Integer.class).one());
            assertThat(apps).isEqualTo(1);
        }
        assertThat(history(url)).startsWith(recorded.toArray(HistoryRow[]::new));
    }

    /** Flyway would refuse a version found twice too, but only when it runs, and without naming this rule. */
    @Test
    void eachVersionStandsInOneLocation() throws Exception {
        Map<MigrationVersion, List<String>> scriptsByVersion = new TreeMap<>();
        for (String location : dialect().migrations()) {
            String folder = location.substring("classpath:".length());
            List<URL> found = Collections.list(getClass().getClassLoader().getResources(folder));
            assertThat(found).as(folder).isNotEmpty();
            for (URL url : found) {
                try (Stream<Path> files = Files.list(Path.of(url.toURI()))) {
                    files.map(file -> file.getFileName().toString()).filter(name -> name.matches("V.+__.+\\.sql"))
                            .forEach(name -> scriptsByVersion.computeIfAbsent(versionOf(name),
                                    version -> new ArrayList<>()).add(folder + "/" + name));
                }
            }
        }
        assertThat(scriptsByVersion).isNotEmpty();
        scriptsByVersion.forEach((version, scripts) -> assertThat(scripts).as("version " + version).hasSize(1));
    }

    /** V1_2__x.sql is version 1.2, the same version as V1.2__x.sql. */
    private static MigrationVersion versionOf(String script) {
        return MigrationVersion.fromVersion(script.substring(1, script.indexOf("__")).replace('_', '.'));
    }

    private Dialect dialect() {
        return Dialect.valueOf(db.name());
    }

    /** The fields of a flyway_schema_history row that Flyway validates (the script is its name, not its folder). */
    record HistoryRow(String version, String description, String type, String script, String checksum) {
    }

    private List<HistoryRow> recordedHistory() throws Exception {
        String resource = "/db/history-2026-12-06-" + db.label() + ".csv";
        try (InputStream in = getClass().getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            List<String> lines = new String(in.readAllBytes(), UTF_8).lines().toList();
            assertThat(lines.get(0)).isEqualTo(CSV_HEADER);
            return lines.stream().skip(1).map(line -> {
                String[] f = line.split(",", -1);
                assertThat(f).as(line).hasSize(5);
                return new HistoryRow(f[0], f[1], f[2], f[3], f[4]);
            }).toList();
        }
    }

    private static List<HistoryRow> history(String url) {
        return Jdbi.create(url).withHandle(h -> h.createQuery("SELECT version, description, type, script, checksum "
                        + "FROM flyway_schema_history ORDER BY installed_rank")
                .map((rs, ctx) -> new HistoryRow(rs.getString("version"), rs.getString("description"),
                        rs.getString("type"), rs.getString("script"), rs.getString("checksum")))
                .list());
    }
}
