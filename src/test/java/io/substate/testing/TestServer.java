package io.substate.testing;

import io.substate.Substate;
import io.substate.config.Settings;
import java.time.Clock;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

/**
 * A real Substate server on a free port, in this JVM, against a real database. {@link #shared(TestDb)} gives one
 * server per database for the whole suite (tests isolate themselves by creating their own projects);
 * {@link #start(TestDb, Map)} gives a private one for tests that restart or reconfigure it.
 */
public final class TestServer implements AutoCloseable {
    public static final String ADMIN_TOKEN = "test-admin-token-0123456789";
    private static final Map<TestDb, TestServer> SHARED = new EnumMap<>(TestDb.class);

    private final Substate substate;
    private final String databaseUrl;
    private final Map<String, String> env;

    private TestServer(Substate substate, String databaseUrl, Map<String, String> env) {
        this.substate = substate;
        this.databaseUrl = databaseUrl;
        this.env = env;
    }

    public static synchronized TestServer shared(TestDb db) {
        return SHARED.computeIfAbsent(db, d -> start(d, Map.of()));
    }

    /** A private server on a new database; extra environment entries override the test defaults. */
    public static TestServer start(TestDb db, Map<String, String> extraEnv) {
        return start(db, extraEnv, Clock.systemUTC());
    }

    /** Starts a server with exactly these settings (for restarts and second instances on one database). */
    public static TestServer startWith(Map<String, String> env) {
        return startWith(env, Clock.systemUTC());
    }

    /** A private server on a new database whose clock the test controls (see {@link TestClock}). */
    public static TestServer start(TestDb db, Map<String, String> extraEnv, Clock clock) {
        Map<String, String> env = new HashMap<>();
        env.put("SUBSTATE_PORT", "0");
        env.putAll(db.env(db.newDatabaseUrl()));
        env.put("SUBSTATE_ADMIN_TOKEN", ADMIN_TOKEN);
        env.put("SUBSTATE_PUBLIC_URL", "http://substate.test");
        // The suite starts many servers on one PostgreSQL: keep each pool small.
        env.put("SUBSTATE_DATABASE_POOL_SIZE", "4");
        // The scheduled Stripe refresh re-reads subscriptions behind a test's back; tests that want it set the tick.
        env.put("SUBSTATE_STRIPE_REFRESH_TICK", "1h");
        // Every test's requests come from 127.0.0.1, and many tests send wrong keys on purpose: the failed
        // authentication limit is tested on servers of its own (http/AuthFailureLimitTest).
        env.put("SUBSTATE_AUTH_FAILURE_LIMIT", "1000000000");
        env.put("SUBSTATE_AUTH_FAILURE_KEY_LIMIT", "1000000000");
        env.putAll(extraEnv);
        return startWith(env, clock);
    }

    private static TestServer startWith(Map<String, String> env, Clock clock) {
        Settings settings = Settings.fromEnvironment(env);
        return new TestServer(Substate.start(settings, clock), settings.databaseUrl(), Map.copyOf(env));
    }

    /** A second server on the same database, as a second instance behind a load balancer would be. */
    public TestServer startAnotherInstance() {
        return startWith(env);
    }

    public Map<String, String> env() {
        return env;
    }

    public String databaseUrl() {
        return databaseUrl;
    }

    public Substate substate() {
        return substate;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + substate.port();
    }

    /** A client carrying the admin token. */
    public Api admin() {
        return new Api(baseUrl(), ADMIN_TOKEN);
    }

    /** A client without credentials. */
    public Api anonymous() {
        return new Api(baseUrl(), null);
    }

    @Override
    public void close() {
        substate.close();
    }
}
