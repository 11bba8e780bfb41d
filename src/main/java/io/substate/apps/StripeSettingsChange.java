package io.substate.apps;

import io.substate.common.ApiException;
import io.substate.http.JsonBody;
import java.net.URI;
import java.util.Optional;

/**
 * The {@code stripe} object of a create or update request, checked field by field. Cross-field rules (a metadata key
 * for metadata detection) are checked by {@link AppService} on the resulting settings.
 */
public record StripeSettingsChange(
        FieldChange<String> webhookSecret,
        FieldChange<String> apiKey,
        Optional<Boolean> trackNewPurchases,
        Optional<AppUserIdDetection> appUserIdDetection,
        FieldChange<String> metadataKey,
        FieldChange<String> managementUrl) {

    static final String[] FIELDS = {"webhook_secret", "api_key", "track_new_purchases", "app_user_id_detection",
            "metadata_key", "management_url"};

    /** No change at all (a request without a {@code stripe} object). */
    public static StripeSettingsChange none() {
        return new StripeSettingsChange(FieldChange.keep(), FieldChange.keep(), Optional.empty(), Optional.empty(),
                FieldChange.keep(), FieldChange.keep());
    }

    /** Reads and validates the {@code stripe} object; unknown fields and malformed values are refused with 400. */
    public static StripeSettingsChange parse(JsonBody stripe) {
        stripe.allowOnly(FIELDS);
        return new StripeSettingsChange(
                nullable(stripe, "webhook_secret").check(StripeSettingsChange::checkWebhookSecret),
                nullable(stripe, "api_key").check(StripeSettingsChange::checkApiKey),
                stripe.optionalBoolean("track_new_purchases"),
                stripe.optionalEnum("app_user_id_detection", AppUserIdDetection.values_()).map(AppUserIdDetection::of),
                nullable(stripe, "metadata_key").check(StripeSettingsChange::checkMetadataKey),
                nullable(stripe, "management_url").check(StripeSettingsChange::checkManagementUrl));
    }

    private static FieldChange<String> nullable(JsonBody body, String name) {
        if (!body.has(name)) {
            return FieldChange.keep();
        }
        if (body.isNull(name)) {
            return FieldChange.clear();
        }
        return FieldChange.set(body.optionalString(name).orElseThrow().trim());
    }

    // Stripe's webhook signing secrets all start with whsec_; anything else (an API key, the endpoint id) is a
    // paste mistake that would make every delivery fail its signature check.
    private static String checkWebhookSecret(String secret) {
        if (!secret.startsWith("whsec_") || secret.length() <= "whsec_".length()) {
            throw ApiException.invalid("Field 'stripe.webhook_secret' must be a Stripe webhook signing secret "
                    + "starting with 'whsec_': paste the Signing secret shown on the webhook endpoint's page in the "
                    + "Stripe Dashboard (Developers → Webhooks → your endpoint → Signing secret)");
        }
        return secret;
    }

    private static String checkApiKey(String key) {
        boolean secretOrRestricted = (key.startsWith("sk_") || key.startsWith("rk_")) && key.length() > 3;
        if (!secretOrRestricted) {
            throw ApiException.invalid("Field 'stripe.api_key' must be a Stripe secret key ('sk_…') or restricted key "
                    + "('rk_…'); a restricted key with read access to subscriptions, checkout sessions, invoices, "
                    + "charges and customers ('rk_…') is recommended"
                    + (key.startsWith("pk_") ? ". 'pk_…' is a publishable key and cannot read subscriptions" : ""));
        }
        return key;
    }

    private static String checkMetadataKey(String key) {
        if (key.length() > 40) {
            throw ApiException.invalid("Field 'stripe.metadata_key' must be at most 40 characters (Stripe's limit "
                    + "for metadata keys)");
        }
        return key;
    }

    private static String checkManagementUrl(String url) {
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme();
            if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                    || uri.getHost() == null) {
                throw new IllegalArgumentException();
            }
        } catch (Exception e) {
            throw ApiException.invalid("Field 'stripe.management_url' must be an http(s) URL, such as your Stripe "
                    + "customer portal link (got '" + url + "')");
        }
        return url;
    }
}
