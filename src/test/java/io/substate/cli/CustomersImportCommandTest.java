package io.substate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.testing.Api;
import io.substate.testing.Fixtures;
import io.substate.testing.TestDb;
import io.substate.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import picocli.CommandLine;

/**
 * {@code substate customers import} run in-process against a server's database: quoted fields, reserved and custom
 * attributes, aliases; bad rows reported by line and written not at all; a second run changes nothing.
 */
@ParameterizedClass
@EnumSource(TestDb.class)
class CustomersImportCommandTest {
    private static final String CSV = """
            app_user_id,aliases,$email,$displayName,plan_note,$bogus
            user-1,old-1|old-2,ann@example.com,"Smith, Ann","line one
            line two",
            user-2,,bob@example.com,"Bob ""B"" Jones",,
            ,x,,,,
            null,,,,,
            user-3,,not-an-email,Carl,,
            user-4,old-1,d@example.com,,,
            user-5,new-5,e@example.com,,,x

            user-6,,,,,
            """;

    @Parameter
    TestDb db;

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {}

    private Run importCsv(TestServer server, String projectId, String csv) throws Exception {
        Path file = dir.resolve("customers-" + System.nanoTime() + ".csv");
        Files.writeString(file, csv, StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new CommandLine(new CustomersCommand.ImportCommand(
                db.env(server.databaseUrl()),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)))
                .execute("--project", projectId, file.toString());
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Map<String, String> attributes(Api admin, String projectId, String appUserId) {
        Map<String, String> result = new TreeMap<>();
        JsonNode items = admin.get(Fixtures.customerPath(projectId, appUserId) + "/attributes?limit=100").json()
                .get("items");
        items.forEach(a -> result.put(a.get("name").asText(), a.get("value").asText() + "@" + a.get("updated_at")));
        return result;
    }

    private static Map<String, String> values(Map<String, String> attributes) {
        Map<String, String> result = new TreeMap<>();
        attributes.forEach((name, value) -> result.put(name, value.substring(0, value.lastIndexOf('@'))));
        return result;
    }

    @Test
    void importsGoodRowsReportsBadOnesByLineAndASecondRunChangesNothing() throws Exception {
        try (TestServer server = TestServer.start(db, Map.of())) {
            Api admin = server.admin();
            String projectId = admin.post("/v2/projects", Map.of("name", "Imported")).json().get("id").asText();

            Run first = importCsv(server, projectId, CSV);

            assertThat(first.exit()).as(first.err()).isEqualTo(1);
            assertThat(first.out()).contains("8 rows: 3 created, 0 updated, 0 unchanged, 5 skipped");
            assertThat(first.err()).contains("line 5: 'app_user_id' is empty", "line 6: 'null' is not allowed",
                    "line 7: attribute '$email': Value is not a valid email address",
                    "line 8: alias 'old-1' belongs to another customer (App User ID 'user-1'); not merged",
                    "line 9: attribute '$bogus': Key name is reserved");
            assertThat(first.err().lines()).hasSize(5);

            assertThat(Fixtures.aliases(admin, projectId, "old-2")).containsExactly("user-1", "old-1", "old-2");
            Map<String, String> user1 = attributes(admin, projectId, "user-1");
            assertThat(values(user1)).containsExactly(Map.entry("$displayName", "Smith, Ann"),
                    Map.entry("$email", "ann@example.com"), Map.entry("plan_note", "line one\nline two"));
            assertThat(values(attributes(admin, projectId, "user-2"))).containsExactly(
                    Map.entry("$displayName", "Bob \"B\" Jones"), Map.entry("$email", "bob@example.com"));
            assertThat(attributes(admin, projectId, "user-6")).isEmpty();
            for (String absent : new String[] {"user-3", "user-4", "user-5", "new-5", "x"}) {
                assertThat(admin.get(Fixtures.customerPath(projectId, absent)).status()).as(absent).isEqualTo(404);
            }

            Run second = importCsv(server, projectId, CSV);

            assertThat(second.out()).contains("8 rows: 0 created, 0 updated, 3 unchanged, 5 skipped");
            assertThat(attributes(admin, projectId, "user-1")).isEqualTo(user1);
            assertThat(Fixtures.aliases(admin, projectId, "user-1")).containsExactly("user-1", "old-1", "old-2");

            Run update = importCsv(server, projectId, """
                    app_user_id,aliases,$displayName
                    user-2,bobby,Robert
                    user-6,,
                    """);

            assertThat(update.exit()).as(update.err()).isZero();
            assertThat(update.out()).contains("2 rows: 0 created, 1 updated, 1 unchanged, 0 skipped");
            assertThat(values(attributes(admin, projectId, "bobby"))).containsEntry("$displayName", "Robert")
                    .containsEntry("$email", "bob@example.com");
        }
    }

    @Test
    void aFileWithoutTheIdColumnOrAnUnknownProjectImportsNothingAndMalformedCsvStopsAtItsLine() throws Exception {
        try (TestServer server = TestServer.start(db, Map.of())) {
            String projectId = server.admin().post("/v2/projects", Map.of("name", "Imported")).json().get("id")
                    .asText();

            Run noId = importCsv(server, projectId, "id,$email\nu1,a@example.com\n");
            assertThat(noId.exit()).isEqualTo(1);
            assertThat(noId.err()).contains("no 'app_user_id' column");

            Run unknown = importCsv(server, "proj_nope", "app_user_id\nu1\n");
            assertThat(unknown.exit()).isEqualTo(1);
            assertThat(unknown.err()).contains("proj_nope");
            assertThat(server.admin().get(Fixtures.customerPath(projectId, "u1")).status()).isEqualTo(404);

            Run unterminated = importCsv(server, projectId, "app_user_id,$email\nu2,b@example.com\nu3,\"open\n");
            assertThat(unterminated.exit()).isEqualTo(1);
            assertThat(unterminated.out()).contains("1 rows: 1 created", "stopped: line 3: the CSV is malformed");
            assertThat(server.admin().get(Fixtures.customerPath(projectId, "u2")).status()).isEqualTo(200);
            assertThat(server.admin().get(Fixtures.customerPath(projectId, "u3")).status()).isEqualTo(404);
        }
    }
}
