package io.substate.storage;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.MeterRegistry;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import io.substate.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementExceptions;

/**
 * The connection pool, schema migrations and jdbi handle of one database. SQLite and PostgreSQL share all data
 * access code; only the migrations and a few locking clauses differ ({@link Dialect}).
 */
public final class Database implements AutoCloseable {
    /** How many group committers Substate runs on PostgreSQL, each with a connection of its own. */
    public static final int POSTGRESQL_COMMITTERS = 2;

    private final HikariDataSource dataSource;
    private final Dialect dialect;
    private final Jdbi jdbi;
    private final Duration timeout;
    private final Duration queryTimeout;
    /** How the health check opens its own connection, apart from the pool (see {@link DatabaseHealth}). */
    private final CheckConnections checkConnections;
    /** Migrations recorded as applied once this instance migrated: fewer later means the database was replaced. */
    private int appliedMigrations;
    private final SecretBox secrets;
    /** The group committers' own connections on PostgreSQL, opened when first asked for. */
    private HikariDataSource committerDataSource;
    private Jdbi committerJdbi;

    /** Opens a connection of the health check's own, given how long it may take. */
    @FunctionalInterface
    interface CheckConnections {
        Connection open(Duration timeout) throws SQLException;
    }

    private Database(HikariDataSource dataSource, Dialect dialect, Settings settings,
            CheckConnections checkConnections, SecretBox secrets) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.secrets = secrets;
        this.jdbi = withoutArgumentsInErrors(Jdbi.create(dataSource));
        secrets.installOn(jdbi);
        DatabaseLocal.installOn(jdbi);
        this.timeout = settings.databaseTimeout();
        this.queryTimeout = settings.databaseQueryTimeout();
        this.checkConnections = checkConnections;
    }

    /**
     * Publishes the pool's metrics (HikariCP's own: connections active, idle and pending, and
     * {@code hikaricp_connections_timeout_total}, requests that found no connection in time) to {@code registry}.
     */
    public void bindMetrics(MeterRegistry registry) {
        dataSource.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry));
    }

    /**
     * Connects, then applies pending migrations. Throws {@link DatabaseUnavailableException} with a clear reason, or
     * an {@code InvalidSettingException} when the keys of stored secrets are missing or unreadable ({@link SecretBox}).
     */
    public static Database open(Settings settings) {
        Dialect dialect = Dialect.of(settings.databaseUrl());
        String url = dialect == Dialect.SQLITE ? sqliteUrl(settings.databaseUrl(), settings.databaseTimeout())
                : postgresqlUrl(settings.databaseUrl());
        HikariConfig config = new HikariConfig();
        config.setPoolName("substate");
        config.setJdbcUrl(dialect == Dialect.SQLITE ? url
                : withTimeouts(url, settings.databaseTimeout(), settings.databaseQueryTimeout()));
        settings.databaseUser().ifPresent(config::setUsername);
        settings.databasePassword().ifPresent(config::setPassword);
        config.setMaximumPoolSize(settings.databasePoolSize());
        // Idle instances keep few connections: several of them share one PostgreSQL's connection limit.
        config.setMinimumIdle(Math.min(2, settings.databasePoolSize()));
        config.setIdleTimeout(60_000);
        // A request waits this long for a connection, then is answered 503 database_unavailable (HttpServer):
        // during an outage every request thread would otherwise wait, and the server stop answering at all.
        config.setConnectionTimeout(settings.databaseTimeout().toMillis());
        // A connection idle for a while is checked before it is handed out; after a network stall the dead ones
        // are found and replaced within this time instead of failing the request that gets them.
        config.setValidationTimeout(Math.max(250, Math.min(2_000, settings.databaseTimeout().toMillis() / 2)));
        // Idle connections are pinged, and every connection is replaced after 10 minutes, so one broken by a
        // network change or a failover is not kept until a request trips over it.
        config.setKeepaliveTime(30_000);
        config.setMaxLifetime(600_000);
        if (dialect == Dialect.POSTGRESQL) {
            config.setConnectionInitSql(sessionTimeouts(settings.databaseQueryTimeout()));
        }
        config.setInitializationFailTimeout(Math.max(10_000, settings.databaseTimeout().toMillis()));
        if (dialect == Dialect.POSTGRESQL) {
            // PostgreSQL's error detail quotes the values of the failing row (a unique key's value: a secret key).
            config.addDataSourceProperty("logServerErrorDetail", "false");
        }
        HikariDataSource dataSource;
        try {
            dataSource = new HikariDataSource(config);
        } catch (HikariPool.PoolInitializationException | IllegalArgumentException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new DatabaseUnavailableException("Cannot connect to " + settings.databaseForLog() + ": "
                    + cause.getMessage(), e);
        }
        // Migrations run on connections of their own, without the pool's query timeout: building an index over
        // every stored event may take longer than any request should.
        String user = settings.databaseUser().orElse(null);
        String password = settings.databasePassword().orElse(null);
        Flyway flyway = Flyway.configure()
                .dataSource(dialect == Dialect.SQLITE || url.contains("tcpKeepAlive=") ? url : url + "&tcpKeepAlive=true",
                        user, password)
                .locations(dialect.migrations())
                .failOnMissingLocations(true)
                .load();
        CheckConnections checks = checkTimeout -> {
            java.util.Properties properties = new java.util.Properties();
            if (user != null) {
                properties.setProperty("user", user);
            }
            if (password != null) {
                properties.setProperty("password", password);
            }
            if (dialect == Dialect.POSTGRESQL) {
                String seconds = String.valueOf(Math.max(1, (checkTimeout.toMillis() + 999) / 1000));
                properties.setProperty("connectTimeout", seconds);
                properties.setProperty("loginTimeout", seconds);
                properties.setProperty("socketTimeout", seconds);
                properties.setProperty("tcpKeepAlive", "true");
            }
            return java.sql.DriverManager.getConnection(url, properties);
        };
        // Read after connecting: a database that cannot be reached is the first thing to report.
        SecretBox secrets;
        try {
            secrets = SecretBox.load(settings, dialect);
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
        Database database = new Database(dataSource, dialect, settings, checks, secrets);
        try {
            flyway.migrate();
            database.appliedMigrations = DatabaseHealth.countApplied(database);
        } catch (FlywayException | SQLException e) {
            dataSource.close();
            throw new DatabaseUnavailableException("Cannot migrate " + settings.databaseForLog() + ": " + e.getMessage(), e);
        }
        return database;
    }

    /**
     * WAL for concurrent readers, foreign keys enforced, a busy timeout (the database timeout: a write waits that long
     * for another's lock, then is answered 503) instead of immediate SQLITE_BUSY, and
     * synchronous=FULL so a commit acknowledged to Stripe survives a power loss, not only a crash.
     * Transactions begin IMMEDIATE (taking the write lock up front): a deferred transaction that reads and then
     * writes fails with SQLITE_BUSY at once when another connection wrote meanwhile, which busy_timeout cannot help.
     * No generated keys: Substate makes its ids itself, and sqlite-jdbc would otherwise prepare and run
     * {@code SELECT last_insert_rowid()} after every INSERT, ~8% of the committer's CPU (BENCHMARKS.md).
     */
    static String sqliteUrl(String url, Duration busyTimeout) {
        String file = url.substring("jdbc:sqlite:".length());
        int q = file.indexOf('?');
        String path = q < 0 ? file : file.substring(0, q);
        if (!path.isEmpty() && !path.equals(":memory:") && !path.startsWith("file:")) {
            Path parent = Path.of(path).toAbsolutePath().getParent();
            try {
                Files.createDirectories(parent);
            } catch (Exception e) {
                throw new DatabaseUnavailableException("Cannot create the directory " + parent + " for " + path, e);
            }
        }
        String params = "journal_mode=WAL&foreign_keys=on&busy_timeout=" + busyTimeout.toMillis()
                + "&synchronous=FULL&transaction_mode=IMMEDIATE"
                + "&jdbc.get_generated_keys=false";
        return url + (q < 0 ? "?" : "&") + params;
    }

    /**
     * reWriteBatchedInserts: the driver sends a JDBC batch of one INSERT as multi-row INSERTs, so PostgreSQL starts
     * its executor once per up to 128 rows instead of once per row. The group committers send every batch of webhooks'
     * new rows that way ({@link WriteBehind}); it cut PostgreSQL's CPU per event by ~8% (BENCHMARKS.md). A URL that
     * sets it itself keeps its own value.
     */
    static String postgresqlUrl(String url) {
        if (url.contains("reWriteBatchedInserts=")) {
            return url;
        }
        return url + (url.indexOf('?') < 0 ? "?" : "&") + "reWriteBatchedInserts=true";
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    /**
     * The PostgreSQL group committers' connections ({@link #POSTGRESQL_COMMITTERS}), a pool of their own beside
     * {@link #jdbi()}'s, so that webhooks never wait for connections the API or the dashboard hold, and set up for
     * the committers' statements: each forces generic plans ({@code plan_cache_mode}). Those statements look rows up
     * by key, so one plan fits every value, but PostgreSQL's default planned some of them again at every execution (a
     * custom plan, chosen when the generic plan's estimate is not cheaper, as for {@code = ANY (?)}): 7.5% of its CPU
     * per webhook (BENCHMARKS.md). The API's and the dashboard's queries keep the default. Needs PostgreSQL 12 or newer.
     */
    public synchronized Jdbi committerJdbi() {
        if (dialect != Dialect.POSTGRESQL) {
            throw new IllegalStateException("only PostgreSQL's committers have connections of their own");
        }
        if (committerJdbi == null) {
            HikariConfig config = new HikariConfig();
            dataSource.copyStateTo(config); // the main pool's URL, credentials and timeouts
            config.setPoolName("substate-committers");
            config.setMaximumPoolSize(POSTGRESQL_COMMITTERS);
            config.setMinimumIdle(0);
            config.setInitializationFailTimeout(-1); // the main pool has connected: failures surface per batch
            config.setConnectionInitSql(sessionTimeouts(queryTimeout) + "; SET plan_cache_mode = force_generic_plan");
            committerDataSource = new HikariDataSource(config);
            committerJdbi = withoutArgumentsInErrors(Jdbi.create(committerDataSource));
            secrets.installOn(committerJdbi);
            DatabaseLocal.share(jdbi, committerJdbi);
        }
        return committerJdbi;
    }

    /** The keys of the secrets stored in this database. */
    public SecretBox secrets() {
        return secrets;
    }

    /**
     * A failed statement's exception names its SQL, never its arguments: jdbi's default message lists them, and they
     * include secrets (a project's key, an app's webhook secret and Stripe key), which would reach the log.
     */
    static Jdbi withoutArgumentsInErrors(Jdbi jdbi) {
        jdbi.getConfig(StatementExceptions.class).setMessageRendering(e -> e.getStatementContext() == null
                || e.getStatementContext().getRawSql() == null ? ""
                : " [statement: \"" + abbreviate(e.getStatementContext().getRawSql()) + "\"; arguments not shown]");
        return jdbi;
    }

    private static String abbreviate(String sql) {
        String oneLine = sql.replaceAll("\\s+", " ").trim();
        return oneLine.length() <= 300 ? oneLine : oneLine.substring(0, 300) + "…";
    }

    public Dialect dialect() {
        return dialect;
    }

    /**
     * The pool's PostgreSQL connections give up rather than wait forever on a network that stopped answering: the
     * connection attempt and login within the database timeout, a reply within the query timeout (plus a moment, so
     * that PostgreSQL's own statement timeout, {@link #sessionTimeouts}, ends a slow query first and the connection
     * stays usable). {@code tcpKeepAlive} lets the system find a silently dead connection. A URL that sets one of
     * these keeps its own value.
     */
    static String withTimeouts(String url, Duration timeout, Duration queryTimeout) {
        long seconds = Math.max(1, (timeout.toMillis() + 999) / 1000);
        StringBuilder result = new StringBuilder(url);
        java.util.Map<String, String> params = new java.util.LinkedHashMap<>();
        params.put("connectTimeout", String.valueOf(seconds));
        params.put("loginTimeout", String.valueOf(seconds));
        params.put("socketTimeout", String.valueOf(queryTimeout.toSeconds() + 2));
        params.put("tcpKeepAlive", "true");
        params.forEach((name, value) -> {
            if (!url.contains(name + "=")) {
                result.append(result.indexOf("?") < 0 ? '?' : '&').append(name).append('=').append(value);
            }
        });
        return result.toString();
    }

    /**
     * PostgreSQL ends a statement that runs longer than the query timeout, and a session left idle inside a
     * transaction for twice that: when an instance loses its network mid-transaction, PostgreSQL would otherwise keep
     * its row locks (and block the other instances' writes to those rows) until the system notices the dead
     * connection, which takes hours by default.
     */
    static String sessionTimeouts(Duration queryTimeout) {
        return "SET statement_timeout = " + queryTimeout.toMillis() + "; SET idle_in_transaction_session_timeout = "
                + queryTimeout.multipliedBy(2).toMillis();
    }

    /** How long a request waits for the database before it is answered 503 ({@code SUBSTATE_DATABASE_TIMEOUT}). */
    public Duration timeout() {
        return timeout;
    }

    /** How long one statement may run ({@code SUBSTATE_DATABASE_QUERY_TIMEOUT}). */
    public Duration queryTimeout() {
        return queryTimeout;
    }

    /** A connection of the health check's own, never one of the pool's. */
    Connection openCheckConnection(Duration checkTimeout) throws SQLException {
        return checkConnections.open(checkTimeout);
    }

    int appliedMigrations() {
        return appliedMigrations;
    }

    /** Ready = a connection of its own answers and every migration this instance applied is recorded. */
    public boolean isReady() {
        return DatabaseHealth.checkOnce(this, Duration.ofSeconds(2)).ready();
    }

    @Override
    public synchronized void close() {
        if (committerDataSource != null) {
            committerDataSource.close();
        }
        dataSource.close();
    }
}
