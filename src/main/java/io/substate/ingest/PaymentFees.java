package io.substate.ingest;

import io.substate.apps.App;
import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import io.substate.purchases.StripeFact.CheckoutFact;
import io.substate.purchases.StripeFact.InvoiceFact;
import io.substate.stripe.StripeApi;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stripe's fee on a paid invoice's or one-time Checkout's payment (for {@code commission_percentage} and
 * {@code takehome_percentage}), read with the app's key before the webhook's transaction opens, like the resolver's
 * other reads: the committer never waits on Stripe. Only a paid payment with money in it is read, once per delivery
 * of its event, with a short timeout. A failed read never fails the webhook: the fee stays unknown (the fields are
 * null) and the reason is logged once per app and reason, naming neither the key nor Stripe's message (which quotes
 * the key).
 */
final class PaymentFees {
    private static final Logger LOG = LoggerFactory.getLogger(PaymentFees.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final String stripeApiBase;
    private final Set<String> logged = ConcurrentHashMap.newKeySet();

    PaymentFees(String stripeApiBase) {
        this.stripeApiBase = stripeApiBase;
    }

    InvoiceFact withFee(App app, InvoiceFact invoice) {
        if (!"paid".equals(invoice.status()) || invoice.amountPaid() <= 0 || invoice.fee() != null) {
            return invoice;
        }
        return read(app, invoice.chargeId(), invoice.paymentIntentId(), invoice.invoiceId())
                .map(fee -> invoice.withFee(fee.fee(), fee.amount())).orElse(invoice);
    }

    /** A paid one-time Checkout Session with its payment's fee. */
    CheckoutFact withFee(App app, CheckoutFact session) {
        if (!"paid".equals(session.paymentStatus()) || session.paymentIntentId() == null || session.fee() != null
                || session.amountTotal() == null || session.amountTotal() <= 0) {
            return session;
        }
        return read(app, null, session.paymentIntentId(), null)
                .map(fee -> session.withFee(fee.fee(), fee.amount())).orElse(session);
    }

    private Optional<StripeApi.PaymentFee> read(App app, String chargeId, String paymentIntentId, String invoiceId) {
        String key = app.stripeApiKey();
        if (key == null || key.isBlank()) {
            logOnce(app, "no_api_key", "has no Stripe API key");
            return Optional.empty();
        }
        try {
            return new StripeApi(stripeApiBase, key.trim(), TIMEOUT).paymentFee(chargeId, paymentIntentId, invoiceId);
        } catch (ApiException e) {
            String code = e.errorCode().name().toLowerCase(java.util.Locale.ROOT);
            logOnce(app, code, "could not read the payment's balance transaction from Stripe (" + code
                    + (e.errorCode() == ErrorCode.STRIPE_API_KEY_INVALID ? "; a restricted key needs read access to "
                            + "Charges, Payment Intents, Invoices and Balance" : "") + ")");
            return Optional.empty();
        }
    }

    private void logOnce(App app, String reason, String what) {
        if (logged.add(app.id() + " " + reason)) {
            LOG.warn("App {} {}: outgoing events carry commission_percentage and takehome_percentage null until it"
                    + " can. Logged once per app and reason.", app.id(), what);
        }
    }
}
