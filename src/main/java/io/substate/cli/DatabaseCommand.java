package io.substate.cli;

import io.substate.config.InvalidSettingException;
import io.substate.config.Settings;
import io.substate.storage.Database;
import io.substate.storage.DatabaseUnavailableException;
import java.io.PrintStream;
import java.util.Map;

/**
 * What the one-off commands share: settings read from the environment as {@code serve} reads them, the database
 * opened and closed around the command's work, and the two failures every command answers alike (an invalid setting,
 * a database that cannot be reached) with their exit codes.
 */
final class DatabaseCommand {
    @FunctionalInterface
    interface Work {
        int run(Settings settings, Database database);
    }

    private DatabaseCommand() {}

    static int run(Map<String, String> env, PrintStream err, Work work) {
        Settings settings;
        try {
            settings = Settings.fromEnvironment(env);
        } catch (InvalidSettingException e) {
            err.println("Invalid setting " + e.getMessage());
            return ServeCommand.EXIT_INVALID_SETTING;
        }
        try (Database database = Database.open(settings)) {
            return work.run(settings, database);
        } catch (DatabaseUnavailableException e) {
            err.println(e.getMessage());
            return ServeCommand.EXIT_DATABASE_UNAVAILABLE;
        } catch (InvalidSettingException e) {
            err.println("Invalid setting " + e.getMessage()); // the keys of stored secrets (storage.SecretBox)
            return ServeCommand.EXIT_INVALID_SETTING;
        }
    }
}
