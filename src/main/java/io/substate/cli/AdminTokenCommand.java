package io.substate.cli;

import io.substate.config.InvalidSettingException;
import io.substate.config.Settings;
import io.substate.http.AdminAuth;
import io.substate.storage.Database;
import io.substate.storage.DatabaseUnavailableException;
import io.substate.storage.ServerSettingsRepository;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code substate admin-token reset}: replaces a lost generated admin token (same database settings as serve). */
@Command(name = "admin-token", mixinStandardHelpOptions = true,
        description = "Replace the stored admin token with a new one and print it.",
        subcommands = AdminTokenCommand.Reset.class)
final class AdminTokenCommand implements Runnable {
    @Override
    public void run() {
        System.out.println("Usage: substate admin-token reset");
    }

    @Command(name = "reset", description = "Generate a new admin token, store it and print it once.")
    static final class Reset implements Callable<Integer> {
        @Override
        public Integer call() {
            try (Database database = Database.open(Settings.fromEnvironment(System.getenv()))) {
                System.out.println(AdminAuth.reset(new ServerSettingsRepository(database.jdbi())));
                return 0;
            } catch (InvalidSettingException e) {
                System.err.println("Invalid setting " + e.getMessage());
                return ServeCommand.EXIT_INVALID_SETTING;
            } catch (DatabaseUnavailableException e) {
                System.err.println(e.getMessage());
                return ServeCommand.EXIT_DATABASE_UNAVAILABLE;
            }
        }
    }
}
