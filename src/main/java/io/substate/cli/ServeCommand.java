package io.substate.cli;

import io.substate.Substate;
import io.substate.config.InvalidSettingException;
import io.substate.config.Settings;
import io.substate.storage.DatabaseUnavailableException;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code substate serve}: runs the server until SIGTERM or SIGINT. Flags mirror the environment variables. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Start the Substate server.")
final class ServeCommand implements Callable<Integer> {
    /** Exit code for an invalid setting. */
    static final int EXIT_INVALID_SETTING = 2;
    /** Exit code when the database cannot be reached or migrated. */
    static final int EXIT_DATABASE_UNAVAILABLE = 3;
    /** Exit code when the port is taken. */
    static final int EXIT_PORT_IN_USE = 4;

    private static volatile boolean serving;

    @Option(names = "--port", description = "SUBSTATE_PORT (default 8080)")
    String port;

    @Option(names = "--database-url", description = "SUBSTATE_DATABASE_URL (default jdbc:sqlite:data/substate.db)")
    String databaseUrl;

    @Option(names = "--public-url", description = "SUBSTATE_PUBLIC_URL (default http://localhost:<port>)")
    String publicUrl;

    @Option(names = "--stripe-api-base", description = "SUBSTATE_STRIPE_API_BASE (default https://api.stripe.com)")
    String stripeApiBase;

    static boolean isServing() {
        return serving;
    }

    @Override
    public Integer call() {
        Map<String, String> env = new HashMap<>(System.getenv());
        putIfSet(env, "SUBSTATE_PORT", port);
        putIfSet(env, "SUBSTATE_DATABASE_URL", databaseUrl);
        putIfSet(env, "SUBSTATE_PUBLIC_URL", publicUrl);
        putIfSet(env, "SUBSTATE_STRIPE_API_BASE", stripeApiBase);
        Settings settings;
        try {
            settings = Settings.fromEnvironment(env);
        } catch (InvalidSettingException e) {
            System.err.println("Invalid setting " + e.getMessage());
            return EXIT_INVALID_SETTING;
        }
        Substate substate;
        try {
            substate = Substate.start(settings, Clock.systemUTC());
        } catch (DatabaseUnavailableException e) {
            System.err.println(e.getMessage());
            return EXIT_DATABASE_UNAVAILABLE;
        } catch (InvalidSettingException e) {
            // The keys of stored secrets are read with the database: missing, unreadable, or not the database's.
            System.err.println("Invalid setting " + e.getMessage());
            return EXIT_INVALID_SETTING;
        } catch (io.javalin.util.JavalinBindException e) {
            System.err.println("Port " + settings.port() + " is already in use: stop the other process, or set "
                    + "SUBSTATE_PORT (or --port) to a free port.");
            return EXIT_PORT_IN_USE;
        }
        serving = true;
        Runtime.getRuntime().addShutdownHook(new Thread(substate::close, "shutdown"));
        return 0;
    }

    private static void putIfSet(Map<String, String> env, String name, String value) {
        if (value != null) {
            env.put(name, value);
        }
    }
}
