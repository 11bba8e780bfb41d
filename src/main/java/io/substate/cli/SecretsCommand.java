package io.substate.cli;

import io.substate.Substate;
import java.io.PrintStream;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code substate secrets rotate}: the stored secrets sealed with the current key (README, "Secrets at rest"). */
@Command(name = "secrets", mixinStandardHelpOptions = true, description = "Work with the stored secrets' encryption.",
        subcommands = SecretsCommand.Rotate.class)
final class SecretsCommand implements Runnable {
    @Override
    public void run() {
        System.out.println("Usage: substate secrets rotate");
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true,
            description = "Seal every stored secret with SUBSTATE_ENCRYPTION_KEY, opening those sealed with one of "
                    + "SUBSTATE_ENCRYPTION_OLD_KEYS (and any still in clear). The server does the same at each start.")
    static final class Rotate implements Callable<Integer> {
        private final Map<String, String> env;
        private final PrintStream out;
        private final PrintStream err;

        Rotate() {
            this(System.getenv(), System.out, System.err);
        }

        Rotate(Map<String, String> env, PrintStream out, PrintStream err) {
            this.env = env;
            this.out = out;
            this.err = err;
        }

        @Override
        public Integer call() {
            return DatabaseCommand.run(env, err, (settings, database) -> {
                int written = Substate.sealStoredSecrets(database, Clock.systemUTC());
                out.println("Sealed " + written + " stored value(s) with the key " + database.secrets().currentKeyId()
                        + "; every stored secret opens with it. The old keys may now be removed.");
                return 0;
            });
        }
    }
}
