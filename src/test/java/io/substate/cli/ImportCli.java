package io.substate.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import io.substate.testing.TestDb;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/** {@code substate stripe import} run in-process for tests of other packages, with pages as small as they like. */
public final class ImportCli {
    public record Run(int exit, String out, String err) {
        /** The last line of stdout: the summary. */
        public String summary() {
            String[] lines = out.strip().split("\n");
            return lines[lines.length - 1];
        }
    }

    private ImportCli() {}

    public static Run run(String databaseUrl, String stripeApiBase, int pageSize, List<String> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Map<String, String> env = new HashMap<>();
        // The database's settings as the server that made it has them (on PostgreSQL, its encryption key too).
        env.putAll((databaseUrl.startsWith("jdbc:postgresql:") ? TestDb.POSTGRESQL : TestDb.SQLITE).env(databaseUrl));
        env.put("SUBSTATE_STRIPE_API_BASE", stripeApiBase);
        int exit = new CommandLine(new StripeCommand.ImportCommand(env,
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                pageSize)).execute(args.toArray(String[]::new));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
