package io.substate.apps;

import io.substate.common.Secrets;
import java.util.ArrayList;
import java.util.List;

/**
 * A Stripe app of a project: its public API key and the settings of its Stripe webhook endpoint.
 *
 * @param webhookSecret the Stripe signing secret ({@code whsec_…}), or null when none is configured
 * @param previousWebhookSecret the secret replaced last, still accepted until {@code previousWebhookSecretExpiresAt}
 * @param stripeApiKey the key used to read objects from Stripe ({@code rk_…} recommended), or null
 * @param allowedOrigins the origins whose pages may use the public key from a browser ({@link AllowedOrigins}), as
 *     browsers send them; null for any origin, empty for none
 */
public record App(
        String id,
        String projectId,
        String name,
        String type,
        String publicApiKey,
        String webhookSecret,
        String previousWebhookSecret,
        Long previousWebhookSecretExpiresAt,
        String stripeApiKey,
        boolean trackNewPurchases,
        AppUserIdDetection appUserIdDetection,
        String metadataKey,
        String managementUrl,
        List<String> allowedOrigins,
        long createdAt) {

    /** Leaves the webhook secrets and the Stripe API key out: apps appear in log lines and exception messages. */
    @Override
    public String toString() {
        return "App[id=" + id + ", projectId=" + projectId + ", name=" + name + ", type=" + type + ", publicApiKey="
                + publicApiKey + ", webhookSecret=" + Secrets.mask(webhookSecret) + ", previousWebhookSecret="
                + Secrets.mask(previousWebhookSecret) + ", previousWebhookSecretExpiresAt="
                + previousWebhookSecretExpiresAt + ", stripeApiKey=" + Secrets.mask(stripeApiKey)
                + ", trackNewPurchases=" + trackNewPurchases + ", appUserIdDetection=" + appUserIdDetection
                + ", metadataKey=" + metadataKey + ", managementUrl=" + managementUrl + ", allowedOrigins="
                + allowedOrigins + ", createdAt=" + createdAt + "]";
    }

    /** The only app type so far. */
    public static final String TYPE_STRIPE = "stripe";

    /**
     * Whether a page of {@code origin} (the request's {@code Origin} header) may read answers given to this app's
     * public key. Browsers send origins in lowercase; the comparison ignores case all the same.
     */
    public boolean allowsOrigin(String origin) {
        return allowedOrigins == null || allowedOrigins.contains(origin.toLowerCase(java.util.Locale.ROOT));
    }

    /** Secrets a Stripe signature may be made with at {@code nowMillis}: the current one, plus the rolled one for 24 h. */
    public List<String> validWebhookSecrets(long nowMillis) {
        List<String> secrets = new ArrayList<>(2);
        if (webhookSecret != null) {
            secrets.add(webhookSecret);
        }
        if (previousWebhookSecret != null && previousWebhookSecretExpiresAt != null
                && nowMillis < previousWebhookSecretExpiresAt) {
            secrets.add(previousWebhookSecret);
        }
        return List.copyOf(secrets);
    }
}
