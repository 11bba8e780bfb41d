package io.substate;

import io.javalin.Javalin;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.substate.apps.AppRoutes;
import io.substate.apps.AppService;
import io.substate.charts.ChartRoutes;
import io.substate.charts.ChartService;
import io.substate.config.InvalidSettingException;
import io.substate.common.Secrets;
import io.substate.config.Settings;
import io.substate.customers.ApiKeyAuth;
import io.substate.customerapi.CustomerApiRoutes;
import io.substate.customerapi.CustomerApiService;
import io.substate.customers.SubscriberRoutes;
import io.substate.customers.SubscriberService;
import io.substate.dashboard.DashboardRoutes;
import io.substate.delivery.DeliveryService;
import io.substate.delivery.DeliveryBacklog;
import io.substate.delivery.DeliveryWorker;
import io.substate.retention.RetentionWorker;
import io.substate.delivery.IntegrationRoutes;
import io.substate.delivery.IntegrationService;
import io.substate.entitlements.EntitlementRoutes;
import io.substate.entitlements.EntitlementService;
import io.substate.entitlements.ProductRoutes;
import io.substate.entitlements.ProductService;
import io.substate.grants.GrantExpiryWorker;
import io.substate.grants.GrantRoutes;
import io.substate.grants.GrantService;
import io.substate.http.AdminAuth;
import io.substate.http.CorsRoutes;
import io.substate.http.HttpServer;
import io.substate.http.OpenApiRoutes;
import io.substate.http.OperationsRoutes;
import io.substate.http.RouteGroup;
import io.substate.ingest.PurchaseUpdater;
import io.substate.ingest.StripeEventRepository;
import io.substate.ingest.StripeEventService;
import io.substate.ingest.StripeWebhookRoutes;
import io.substate.ingest.StripeWebhookService;
import io.substate.ingest.WebhookPipeline;
import io.substate.offerings.OfferingRoutes;
import io.substate.offerings.OfferingService;
import io.substate.offerings.PackageRoutes;
import io.substate.offerings.PackageService;
import io.substate.offerings.PriceService;
import io.substate.offerings.SubscriberOfferingRoutes;
import io.substate.offerings.SubscriberOfferings;
import io.substate.profiles.CustomerProfileRoutes;
import io.substate.profiles.CustomerProfiles;
import io.substate.projects.ApiKeyRoutes;
import io.substate.projects.ProjectRoutes;
import io.substate.projects.ProjectService;
import io.substate.receipts.ReceiptRoutes;
import io.substate.receipts.ReceiptService;
import io.substate.storage.Database;
import io.substate.storage.DatabaseHealth;
import io.substate.storage.SecretBox;
import io.substate.subscriptions.SubscriptionActions;
import io.substate.subscriptions.SubscriptionService;
import io.substate.subscriptions.SubscriptionRoutes;
import io.substate.storage.GroupCommit;
import io.substate.storage.ServerSettingsRepository;
import io.substate.sync.Backfill;
import io.substate.sync.PurchaseRefresher;
import io.substate.sync.RefreshSchedule;
import io.substate.sync.RefreshWorker;
import io.substate.sync.StripeConnectionCheck;
import io.substate.sync.StripeImport;
import io.substate.sync.StripeImportRepository;
import io.substate.sync.StripeImportRoutes;
import io.substate.sync.StripeImports;
import io.substate.sync.SyncRoutes;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The composition root: settings → database → features → HTTP server. One instance is one running server. */
public final class Substate implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Substate.class);

    private final Settings settings;
    private final Database database;
    private final Javalin http;
    private final AdminAuth adminAuth;
    private final List<AutoCloseable> workers;

    private Substate(Settings settings, Database database, Javalin http, AdminAuth adminAuth, List<AutoCloseable> workers) {
        this.settings = settings;
        this.database = database;
        this.http = http;
        this.adminAuth = adminAuth;
        this.workers = workers;
    }

    /** Opens the database (migrating it), wires every feature and starts listening. */
    public static Substate start(Settings settings, Clock clock) {
        // Secrets of no recognizable shape are removed from log lines wherever they appear (common.Secrets).
        settings.adminToken().ifPresent(Secrets::register);
        settings.databasePassword().ifPresent(Secrets::register);
        Database database = Database.open(settings);
        try {
            sealStoredSecrets(database, clock);
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            new JvmMemoryMetrics().bindTo(registry);
            new JvmThreadMetrics().bindTo(registry);
            new JvmGcMetrics().bindTo(registry);
            new ProcessorMetrics().bindTo(registry);
            database.bindMetrics(registry);

            AdminAuth adminAuth = AdminAuth.initialize(settings.adminToken(),
                    new ServerSettingsRepository(database.jdbi()));
            ProjectService projects = new ProjectService(database.jdbi(), clock);
            adminAuth.useProjectKeys(projects::findKey);
            AppService apps = new AppService(database, projects, clock);
            EntitlementService entitlements = new EntitlementService(database.jdbi(), projects, clock);
            ProductService products = new ProductService(database.jdbi(), projects, apps, clock);

            List<AutoCloseable> workers = new ArrayList<>();
            WebhookPipeline pipeline = WebhookPipeline.open(database, apps, settings, registry, clock);
            workers.add(pipeline);
            GroupCommit commits = pipeline.commits();
            PurchaseUpdater purchaseUpdater = pipeline.updater();
            StripeWebhookService webhooks = pipeline.webhooks();

            // Readiness comes from one check a second on a connection of its own, never from the probes (README).
            DatabaseHealth health = DatabaseHealth.start(database, Duration.ofSeconds(1));
            workers.add(health);
            List<RouteGroup> routes = new ArrayList<>();
            routes.add(new OperationsRoutes(health, registry));
            routes.add(new OpenApiRoutes());
            routes.add(new CorsRoutes());
            routes.add(new ProjectRoutes(projects, adminAuth));
            routes.add(new ApiKeyRoutes(projects, adminAuth));
            routes.add(new AppRoutes(apps, adminAuth, settings.publicUrl()));
            StripeEventRepository stripeEvents = new StripeEventRepository(database.jdbi());
            routes.add(new StripeWebhookRoutes(webhooks, new StripeEventService(stripeEvents, webhooks, apps),
                    adminAuth));
            PurchaseRefresher refresher = new PurchaseRefresher(database.jdbi(), apps, database.dialect(), commits,
                    purchaseUpdater, settings.stripeApiBase(), clock);
            routes.add(new SyncRoutes(projects, apps,
                    new Backfill(webhooks, settings.stripeApiBase(), clock),
                    new StripeConnectionCheck(stripeEvents, settings.stripeApiBase(), clock), refresher, adminAuth, clock));
            StripeImportRepository importRepository = new StripeImportRepository(database.jdbi());
            StripeImports imports = new StripeImports(new StripeImport(importRepository, webhooks,
                    settings.stripeApiBase(), clock), importRepository);
            workers.add(0, imports); // stops its imports before the group committer they write through
            routes.add(new StripeImportRoutes(apps, imports, adminAuth));
            // First in the list so it stops before the group committer it writes through.
            workers.add(0, new RefreshWorker(database.jdbi(), database.dialect(), commits, apps, refresher,
                    RefreshSchedule.of(settings.stripeRefreshInterval(), settings.stripeRefreshTick()), clock, registry));
            routes.add(new CustomerProfileRoutes(new CustomerProfiles(database.jdbi(), projects, clock), adminAuth));
            CustomerApiService customers = new CustomerApiService(database.jdbi(), commits, database.dialect(), projects,
                    apps, clock);
            routes.add(new CustomerApiRoutes(customers, adminAuth));
            SubscriptionService subscriptions = new SubscriptionService(database.jdbi(), projects, settings.usdRates(),
                    clock);
            routes.add(new SubscriptionRoutes(subscriptions, new SubscriptionActions(subscriptions, apps, refresher,
                    settings.stripeApiBase()), adminAuth));
            routes.add(new EntitlementRoutes(entitlements, adminAuth));
            routes.add(new ProductRoutes(products, adminAuth));
            PriceService prices = new PriceService(database.jdbi(), projects, apps, settings.stripeApiBase(), clock);
            workers.add(0, prices);
            routes.add(new OfferingRoutes(new OfferingService(database.jdbi(), projects, clock), prices, adminAuth));
            routes.add(new PackageRoutes(new PackageService(database.jdbi(), projects, clock), adminAuth));
            IntegrationService integrations = new IntegrationService(database.jdbi(), projects, apps, clock);
            routes.add(new IntegrationRoutes(integrations, new DeliveryService(database.jdbi(), commits, integrations, clock),
                    adminAuth));
            workers.add(new DeliveryBacklog(database.jdbi(), registry, clock));
            // First in the list so it stops before the group committer it writes through.
            workers.add(0, new RetentionWorker(database.jdbi(), commits, settings.retention(), registry, clock));
            // First in the list so it stops before the database work it depends on.
            workers.add(0, new DeliveryWorker(database.jdbi(), database.dialect(), commits, settings.deliveryRetrySchedule(),
                    settings.deliveryTimeout(), DeliveryWorker.DEFAULT_WINDOW, DeliveryWorker.DEFAULT_PER_INTEGRATION,
                    clock));
            ApiKeyAuth apiKeys = new ApiKeyAuth(apps, projects);
            routes.add(new SubscriberRoutes(new SubscriberService(database.jdbi(), commits, clock), apiKeys));
            routes.add(new GrantRoutes(new GrantService(commits, projects, customers, settings.usdRates(), clock), apiKeys,
                    adminAuth));
            // First in the list so it stops before the group committer it writes through.
            workers.add(0, new GrantExpiryWorker(database.jdbi(), database.dialect(), commits, settings.usdRates(),
                    settings.grantExpiryTick(), clock));
            routes.add(new SubscriberOfferingRoutes(new SubscriberOfferings(database.jdbi(), prices, clock), apiKeys));
            routes.add(new ReceiptRoutes(new ReceiptService(commits, database.dialect(), purchaseUpdater, webhooks,
                    projects, settings.stripeApiBase(), ReceiptService.STRIPE_TIMEOUT, clock), apiKeys));
            routes.add(new DashboardRoutes());
            routes.add(new ChartRoutes(new ChartService(database.jdbi(), projects, settings.usdRates(), clock), adminAuth));

            Javalin http = HttpServer.create(routes, registry, settings.guard()).start(settings.port());
            Substate substate = new Substate(settings, database, http, adminAuth, workers);
            substate.logStart();
            return substate;
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    /**
     * Brings the stored secrets to what this version keeps (README, "Secrets at rest"), before anything reads them:
     * project secret keys still in clear are hashed, secrets still in clear are sealed, and secrets sealed with an
     * old key ({@code SUBSTATE_ENCRYPTION_OLD_KEYS}) are sealed again with the current one. Idempotent: a second run
     * writes nothing. A secret that no configured key opens stops the start with a message naming the key it needs.
     * Answers how many values were written; also {@code substate secrets rotate}.
     */
    public static int sealStoredSecrets(Database database, Clock clock) {
        ProjectService projects = new ProjectService(database.jdbi(), clock);
        AppService apps = new AppService(database, projects, clock);
        IntegrationService integrations = new IntegrationService(database.jdbi(), projects, apps, clock);
        int written;
        try {
            written = projects.hashClearSecretKeys() + apps.resealSecrets()
                    + integrations.resealSecrets(database.dialect());
        } catch (SecretBox.WrongKeyException e) {
            throw new InvalidSettingException("SUBSTATE_ENCRYPTION_KEY", e.getMessage());
        }
        if (written > 0) {
            LOG.info("Stored secrets brought up to date: {} value(s) hashed or sealed with the key {}", written,
                    database.secrets().currentKeyId());
        }
        return written;
    }

    private void logStart() {
        LOG.info("Substate listening on port {} with database {}", port(), settings.databaseForLog());
        LOG.info("Dashboard: {}/  Stripe webhook endpoints: {}/v1/incoming-webhooks/stripe/<app_id>",
                settings.publicUrl(), settings.publicUrl());
        adminAuth.generatedToken().ifPresent(token -> LOG.warn(Secrets.SHOWN_ONCE,
                "Generated the admin token (shown once, store it now): {}", token));
    }

    public int port() {
        return http.port();
    }

    public Database database() {
        return database;
    }

    /** Every HTTP route this server answers (see {@link HttpServer#routes}). */
    public List<HttpServer.Route> routes() {
        return HttpServer.routes(http);
    }

    /** The admin token generated by this start, if any. */
    public Optional<String> generatedAdminToken() {
        return adminAuth.generatedToken();
    }

    /** Stops accepting requests, lets in-flight ones finish, stops workers, closes the database. */
    @Override
    public void close() {
        LOG.info("Substate stopping");
        http.stop();
        for (AutoCloseable worker : workers) {
            try {
                worker.close();
            } catch (Exception e) {
                LOG.warn("Worker did not stop cleanly", e);
            }
        }
        database.close();
        LOG.info("Substate stopped");
    }
}
