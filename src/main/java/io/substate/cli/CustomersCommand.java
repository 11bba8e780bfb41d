package io.substate.cli;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.substate.common.ApiException;
import io.substate.customers.CustomerImport;
import io.substate.projects.ProjectService;
import io.substate.storage.GroupCommit;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code substate customers …}: customer operations from the command line (same database settings as serve). */
@Command(name = "customers", mixinStandardHelpOptions = true, description = "Work with a project's customers.",
        subcommands = CustomersCommand.ImportCommand.class)
final class CustomersCommand implements Runnable {
    /** Exit code when a row was skipped or the file could not be read (or the project does not exist). */
    static final int EXIT_ROWS_SKIPPED = 1;

    @Override
    public void run() {
        System.out.println("Usage: substate customers import --project <project_id> <file.csv>");
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Load customers, their aliases and attributes from a CSV (README, \"Moving customers over "
                    + "from RevenueCat\"). Bad rows are reported with their line and skipped.")
    static final class ImportCommand implements Callable<Integer> {
        private final Map<String, String> env;
        private final PrintStream out;
        private final PrintStream err;

        @Option(names = "--project", required = true, description = "The project id (proj…)")
        String projectId;

        @Parameters(index = "0", paramLabel = "<file.csv>", description = "UTF-8 CSV with a header row")
        Path file;

        ImportCommand() {
            this(System.getenv(), System.out, System.err);
        }

        ImportCommand(Map<String, String> env, PrintStream out, PrintStream err) {
            this.env = env;
            this.out = out;
            this.err = err;
        }

        @Override
        public Integer call() {
            return DatabaseCommand.run(env, err, (settings, database) -> {
                Clock clock = Clock.systemUTC();
                try (GroupCommit commits = GroupCommit.forDatabase(database, new SimpleMeterRegistry());
                        Reader csv = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                    new ProjectService(database.jdbi(), clock).get(projectId);
                    CustomerImport.Summary summary = new CustomerImport(commits, clock).run(projectId, csv,
                            err::println);
                    out.println(summary.message());
                    return summary.skipped() == 0 && summary.stopped() == null ? 0 : EXIT_ROWS_SKIPPED;
                } catch (ApiException | IllegalArgumentException e) {
                    err.println("Import failed: " + e.getMessage());
                    return EXIT_ROWS_SKIPPED;
                } catch (IOException e) {
                    err.println("Cannot read " + file + ": " + e.getMessage());
                    return EXIT_ROWS_SKIPPED;
                }
            });
        }
    }
}
