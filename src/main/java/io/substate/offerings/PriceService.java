package io.substate.offerings;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.apps.App;
import io.substate.apps.AppService;
import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import io.substate.entitlements.Product;
import io.substate.projects.ProjectService;
import io.substate.stripe.StripeApi;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Stripe prices the SDK is shown (README, "Offerings"): each product's {@code default_price}, read with its app's
 * Stripe API key and kept in the database, so every instance and a restart share it. A price older than {@link #TTL}
 * is read again when asked for. When Stripe cannot be reached or fails, the last known price is served, a WARN line
 * says so, and Stripe is not asked again for that product for {@link #RETRY_AFTER_FAILURE}.
 *
 * <p>Stripe is never called inside a database transaction, and never twice at once for one product on one instance:
 * concurrent requests wait for the same read. Reads run on a few threads of their own, so one request's products
 * are read together.
 */
public final class PriceService implements AutoCloseable {
    /** How long a price read from Stripe is served before it is read again. */
    public static final Duration TTL = Duration.ofHours(1);
    /** How long a product whose read failed waits before Stripe is asked again. */
    public static final Duration RETRY_AFTER_FAILURE = Duration.ofMinutes(1);
    /** A paywall waits for this read: far shorter than the webhook path's Stripe timeout. */
    static final Duration STRIPE_TIMEOUT = Duration.ofSeconds(5);
    private static final int READERS = 4;
    private static final Logger LOG = LoggerFactory.getLogger(PriceService.class);

    private final Jdbi jdbi;
    private final ProjectService projects;
    private final AppService apps;
    private final String stripeApiBase;
    private final Clock clock;
    private final ExecutorService readers = Executors.newFixedThreadPool(READERS, runnable -> {
        Thread thread = new Thread(runnable, "stripe-prices");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, CompletableFuture<CachedPrice>> reading = new ConcurrentHashMap<>();

    public PriceService(Jdbi jdbi, ProjectService projects, AppService apps, String stripeApiBase, Clock clock) {
        this.jdbi = jdbi;
        this.projects = projects;
        this.apps = apps;
        this.stripeApiBase = stripeApiBase;
        this.clock = clock;
    }

    /** A package of an offering with the price of each of its products (or why it is left out). */
    public record PackagePrices(OfferingPackage pkg, List<ProductPrice> products) {}

    /**
     * The prices the SDK of {@code app} is shown for these products of it, by product id. {@code refresh} reads Stripe
     * now, whatever the cache holds.
     */
    public Map<String, ProductPrice> prices(App app, Collection<Product> products, boolean refresh) {
        Map<String, ProductPrice> result = new LinkedHashMap<>();
        if (products.isEmpty()) {
            return result;
        }
        if (app.stripeApiKey() == null || app.stripeApiKey().isBlank()) {
            products.forEach(p -> result.put(p.id(), ProductPrice.leftOut(p, "The app has no Stripe API key, so "
                    + "Substate cannot read the product's price: set stripe.api_key on the app (read access to "
                    + "Products and Prices)")));
            return result;
        }
        Map<String, CachedPrice> cached = jdbi.withHandle(h -> PriceStore.find(h,
                products.stream().map(Product::id).distinct().toList()));
        long now = clock.millis();
        Map<String, CompletableFuture<CachedPrice>> reads = new LinkedHashMap<>();
        for (Product product : products) {
            CachedPrice row = cached.getOrDefault(product.id(), CachedPrice.none(product.id()));
            if (refresh || due(row, now)) {
                reads.computeIfAbsent(product.id(), id -> read(app, product, row));
            }
        }
        for (Product product : products) {
            CachedPrice row = cached.getOrDefault(product.id(), CachedPrice.none(product.id()));
            CompletableFuture<CachedPrice> read = reads.get(product.id());
            result.put(product.id(), ProductPrice.of(product, read == null ? row : await(read, row)));
        }
        return result;
    }

    /** Every package of the offering with the price of each product, as the SDK of the product's app sees it. */
    public List<PackagePrices> forOffering(String projectId, String offeringId, boolean refresh) {
        projects.get(projectId);
        record Loaded(List<OfferingPackage> packages, Map<String, List<PackageProduct>> products) {}
        Loaded loaded = jdbi.withHandle(h -> {
            OfferingService.find(h, projectId, offeringId);
            List<OfferingPackage> packages = PackageStore.forOfferings(h, List.of(offeringId))
                    .getOrDefault(offeringId, List.of());
            return new Loaded(packages, PackageStore.products(h, packages.stream().map(OfferingPackage::id).toList()));
        });
        Map<String, List<Product>> byApp = new LinkedHashMap<>();
        loaded.products().values().forEach(list -> list.forEach(pp ->
                byApp.computeIfAbsent(pp.product().appId(), k -> new ArrayList<>()).add(pp.product())));
        Map<String, ProductPrice> prices = new LinkedHashMap<>();
        byApp.forEach((appId, products) -> {
            Optional<App> app = apps.find(appId);
            if (app.isPresent()) {
                prices.putAll(prices(app.get(), products, refresh));
            }
        });
        return loaded.packages().stream().map(pkg -> new PackagePrices(pkg, loaded.products()
                .getOrDefault(pkg.id(), List.of()).stream().map(pp -> prices.get(pp.product().id()))
                .filter(p -> p != null).toList())).toList();
    }

    private static boolean due(CachedPrice row, long now) {
        if (row.retryAt() != null && now < row.retryAt()) {
            return false;
        }
        return row.readAt() == null || row.failedAt() != null || now - row.readAt() >= TTL.toMillis();
    }

    /** One read of the product from Stripe at a time on this instance: a request arriving meanwhile joins it. */
    private CompletableFuture<CachedPrice> read(App app, Product product, CachedPrice previous) {
        CompletableFuture<CachedPrice> mine = new CompletableFuture<>();
        CompletableFuture<CachedPrice> running = reading.putIfAbsent(product.id(), mine);
        if (running != null) {
            return running;
        }
        try {
            readers.execute(() -> {
                try {
                    mine.complete(readNow(app, product, previous));
                } catch (Throwable t) {
                    mine.completeExceptionally(t);
                } finally {
                    reading.remove(product.id(), mine);
                }
            });
        } catch (RejectedExecutionException e) {
            // Shutting down: serve what is known.
            reading.remove(product.id(), mine);
            mine.complete(previous);
        }
        return mine;
    }

    private CachedPrice await(CompletableFuture<CachedPrice> read, CachedPrice previous) {
        try {
            return read.get(STRIPE_TIMEOUT.toMillis() + 2_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return previous;
        } catch (Exception e) {
            LOG.warn("Reading the Stripe price of product {} did not finish in time ({}); serving what is known",
                    previous.productId(), e.toString());
            return previous;
        }
    }

    private CachedPrice readNow(App app, Product product, CachedPrice previous) {
        String stripeProduct = product.storeIdentifier();
        try {
            JsonNode json = new StripeApi(stripeApiBase, app.stripeApiKey().trim(), STRIPE_TIMEOUT)
                    .productWithDefaultPrice(stripeProduct);
            CachedPrice row = CachedPrice.read(product.id(), clock.millis(), StripePrices.read(json));
            save(product, h -> PriceStore.saveRead(h, row));
            return row;
        } catch (ApiException e) {
            long now = clock.millis();
            if (e.errorCode() == ErrorCode.STRIPE_OBJECT_NOT_FOUND) {
                CachedPrice row = CachedPrice.read(product.id(), now, StripePrices.Read.unreadable("Stripe has no "
                        + "product " + stripeProduct + " for the app's API key: check the id, and that the key is of "
                        + "the product's mode (test or live)"));
                save(product, h -> PriceStore.saveRead(h, row));
                return row;
            }
            // The messages of Stripe's errors name the key masked at most (stripe/StripeErrors.java).
            String failure = e.getMessage();
            long retryAt = now + RETRY_AFTER_FAILURE.toMillis();
            save(product, h -> PriceStore.saveFailure(h, product.id(), now, failure, retryAt));
            if (previous.readAt() != null) {
                LOG.warn("Could not read the Stripe price of product {} (app {}): {}; serving what Stripe answered at "
                        + "{} until it answers again", stripeProduct, app.id(), failure,
                        Instant.ofEpochMilli(previous.readAt()));
            } else {
                LOG.warn("Could not read the Stripe price of product {} (app {}): {}; the product is left out of its "
                        + "packages until Stripe answers", stripeProduct, app.id(), failure);
            }
            return previous.failed(now, failure, retryAt);
        }
    }

    private void save(Product product, Consumer<Handle> write) {
        try {
            jdbi.useHandle(write::accept);
        } catch (RuntimeException e) {
            // The product may have been deleted meanwhile; the answer of this request stands either way.
            LOG.warn("Could not keep the Stripe price of product {}: {}", product.storeIdentifier(), e.toString());
        }
    }

    @Override
    public void close() {
        readers.shutdownNow();
    }
}
