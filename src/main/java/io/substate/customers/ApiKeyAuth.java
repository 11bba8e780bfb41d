package io.substate.customers;

import io.javalin.http.Context;
import io.substate.apps.App;
import io.substate.apps.AppService;
import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import io.substate.http.Cors;
import io.substate.http.Requests;
import io.substate.projects.ProjectService;
import java.util.Optional;

/**
 * The RevenueCat v1 API's bearer keys (README, "RevenueCat REST API v1"): an app's public key reaches only its own
 * project, and the project's secret key is needed for what a client app must never do (delete a customer, read
 * attributes).
 *
 * <p>It also decides which browser pages may read the answer (README, "Browsers (CORS)"), since only here is the
 * caller known: on the routes a public key may call, a page of an origin the app allows ({@link App#allowsOrigin});
 * a request with no key or an unknown one that is not a secret key too, so the SDK can read its 401. A secret key,
 * known or not, never gets an allowance: it must not be used from a browser.
 */
public final class ApiKeyAuth {
    private final AppService apps;
    private final ProjectService projects;

    public ApiKeyAuth(AppService apps, ProjectService projects) {
        this.apps = apps;
        this.projects = projects;
    }

    /**
     * The caller of a route RevenueCat's SDKs call with either key (listed in {@link Cors#BROWSER_ROUTES}), or 401
     * (code 7225) for a missing or unknown key.
     */
    public ApiCaller authenticate(Context ctx) {
        return caller(ctx, true);
    }

    /** A secret-key caller; a public key gets 403. No browser page may read the answer. */
    public ApiCaller requireSecret(Context ctx) {
        ApiCaller caller = caller(ctx, false);
        if (!caller.secret()) {
            throw new ApiException(ErrorCode.SECRET_KEY_REQUIRED, "This endpoint needs the project's secret API key "
                    + "(sk_…); public app keys may not use it");
        }
        return caller;
    }

    /**
     * An app's public-key caller, on a route listed in {@link Cors#BROWSER_ROUTES}; the secret key gets 403 (code
     * 7243), as it names no app.
     */
    public ApiCaller requireApp(Context ctx) {
        ApiCaller caller = authenticate(ctx);
        if (caller.app() == null) {
            throw new ApiException(ErrorCode.SECRET_KEY_NOT_ALLOWED, "Use the Stripe app's public API key (strp_…) "
                    + "here: it names the app whose Stripe account the token belongs to. Secret keys name no app.");
        }
        return caller;
    }

    private ApiCaller caller(Context ctx, boolean browserRoute) {
        String key = Requests.bearerToken(ctx);
        if (key != null && key.startsWith("sk_")) {
            return projects.findBySecretKey(key).map(p -> new ApiCaller(p.id(), null, true))
                    .orElseThrow(ApiKeyAuth::invalid);
        }
        Optional<App> app = key == null || key.isEmpty() ? Optional.empty() : apps.findByPublicKey(key);
        if (browserRoute) {
            allowBrowser(ctx, app);
        }
        if (key == null || key.isEmpty()) {
            throw new ApiException(ErrorCode.UNAUTHORIZED, "Missing API key: send 'Authorization: Bearer <key>' with "
                    + "the Stripe app's public key (strp_…) or the project's secret key (sk_…)");
        }
        return app.map(a -> new ApiCaller(a.projectId(), a, false)).orElseThrow(ApiKeyAuth::invalid);
    }

    /** The allowance for a page of another origin: the app's allowed origins decide; without a known app, any. */
    private static void allowBrowser(Context ctx, Optional<App> app) {
        String origin = Cors.origin(ctx);
        if (origin != null && app.map(a -> a.allowsOrigin(origin)).orElse(true)) {
            Cors.allow(ctx);
        } else {
            Cors.varyByOrigin(ctx);
        }
    }

    private static ApiException invalid() {
        return new ApiException(ErrorCode.UNAUTHORIZED, "Invalid API key");
    }
}
