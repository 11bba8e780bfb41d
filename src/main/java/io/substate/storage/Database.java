package io.substate.storage;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import io.substate.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
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
    private final Flyway flyway;
    /** The group committers' own connections on PostgreSQL, opened when first asked for. */
    private HikariDataSource committerDataSource;
    private Jdbi committerJdbi;

    private Database(HikariDataSource dataSource, Dialect dialect) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.jdbi = withoutArgumentsInErrors(Jdbi.create(dataSource));
        this.flyway = Flyway.configure()
                .dataSource(dataSource)
                .locations(dialect.migrations())
                .failOnMissingLocations(true)
                .load();
    }

    /** Connects, then applies pending migrations. Throws {@link DatabaseUnavailableException} with a clear reason. */
    public static Database open(Settings settings) {
        Dialect dialect = Dialect.of(settings.databaseUrl());
        HikariConfig config = new HikariConfig();
        config.setPoolName("substate");
        config.setJdbcUrl(dialect == Dialect.SQLITE ? sqliteUrl(settings.databaseUrl())
                : postgresqlUrl(settings.databaseUrl()));
        settings.databaseUser().ifPresent(config::setUsername);
        settings.databasePassword().ifPresent(config::setPassword);
        config.setMaximumPoolSize(settings.databasePoolSize());
        // Idle instances keep few connections: several of them share one PostgreSQL's connection limit.
        config.setMinimumIdle(Math.min(2, settings.databasePoolSize()));
        config.setIdleTimeout(60_000);
        config.setConnectionTimeout(10_000);
        config.setInitializationFailTimeout(10_000);
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
        Database database = new Database(dataSource, dialect);
        try {
            database.flyway.migrate();
        } catch (FlywayException e) {
            dataSource.close();
            throw new DatabaseUnavailableException("Cannot migrate " + settings.databaseForLog() + ": " + e.getMessage(), e);
        }
        return database;
    }

    /**
     * WAL for concurrent readers, foreign keys enforced, a busy timeout instead of immediate SQLITE_BUSY, and
     * synchronous=FULL so a commit acknowledged to Stripe survives a power loss, not only a crash.
     * Transactions begin IMMEDIATE (taking the write lock up front): a deferred transaction that reads and then
     * writes fails with SQLITE_BUSY at once when another connection wrote meanwhile, which busy_timeout cannot help.
     * No generated keys: Substate makes its ids itself, and sqlite-jdbc would otherwise prepare and run
     * {@code SELECT last_insert_rowid()} after every INSERT, ~8% of the committer's CPU (BENCHMARKS.md).
     */
    static String sqliteUrl(String url) {
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
        String params = "journal_mode=WAL&foreign_keys=on&busy_timeout=10000&synchronous=FULL&transaction_mode=IMMEDIATE"
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
            config.setConnectionInitSql("SET plan_cache_mode = force_generic_plan");
            committerDataSource = new HikariDataSource(config);
            committerJdbi = withoutArgumentsInErrors(Jdbi.create(committerDataSource));
        }
        return committerJdbi;
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

    /** Ready = a query succeeds and no migration is pending. */
    public boolean isReady() {
        try (Connection connection = dataSource.getConnection()) {
            if (!connection.isValid(2)) {
                return false;
            }
            return flyway.info().pending().length == 0;
        } catch (SQLException | FlywayException e) {
            return false;
        }
    }

    @Override
    public synchronized void close() {
        if (committerDataSource != null) {
            committerDataSource.close();
        }
        dataSource.close();
    }
}
