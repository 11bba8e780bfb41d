package io.substate.customers;

import io.javalin.http.Context;
import io.substate.apps.AppService;
import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import io.substate.http.Requests;
import io.substate.projects.ProjectService;

/**
 * The RevenueCat v1 API's bearer keys (README, "RevenueCat REST API v1"): an app's public key reaches only its own
 * project, and the project's secret key is needed for what a client app must never do (delete a customer, read
 * attributes).
 */
public final class ApiKeyAuth {
    private final AppService apps;
    private final ProjectService projects;

    public ApiKeyAuth(AppService apps, ProjectService projects) {
        this.apps = apps;
        this.projects = projects;
    }

    /** The caller, or 401 (code 7225) for a missing or unknown key. */
    public ApiCaller authenticate(Context ctx) {
        String key = Requests.bearerToken(ctx);
        if (key == null || key.isEmpty()) {
            throw new ApiException(ErrorCode.UNAUTHORIZED, "Missing API key: send 'Authorization: Bearer <key>' with "
                    + "the Stripe app's public key (strp_…) or the project's secret key (sk_…)");
        }
        if (key.startsWith("sk_")) {
            return projects.findBySecretKey(key).map(p -> new ApiCaller(p.id(), null, true))
                    .orElseThrow(ApiKeyAuth::invalid);
        }
        return apps.findByPublicKey(key).map(a -> new ApiCaller(a.projectId(), a, false))
                .orElseThrow(ApiKeyAuth::invalid);
    }

    /** A secret-key caller; a public key gets 403. */
    public ApiCaller requireSecret(Context ctx) {
        ApiCaller caller = authenticate(ctx);
        if (!caller.secret()) {
            throw new ApiException(ErrorCode.SECRET_KEY_REQUIRED, "This endpoint needs the project's secret API key "
                    + "(sk_…); public app keys may not use it");
        }
        return caller;
    }

    /** An app's public-key caller; the secret key gets 403 (code 7243), as it names no app. */
    public ApiCaller requireApp(Context ctx) {
        ApiCaller caller = authenticate(ctx);
        if (caller.app() == null) {
            throw new ApiException(ErrorCode.SECRET_KEY_NOT_ALLOWED, "Use the Stripe app's public API key (strp_…) "
                    + "here: it names the app whose Stripe account the token belongs to. Secret keys name no app.");
        }
        return caller;
    }

    private static ApiException invalid() {
        return new ApiException(ErrorCode.UNAUTHORIZED, "Invalid API key");
    }
}
