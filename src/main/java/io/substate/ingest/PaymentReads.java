package io.substate.ingest;

import io.substate.apps.App;
import io.substate.common.ApiException;
import io.substate.common.ErrorCode;
import io.substate.purchases.StripeFact.CheckoutFact;
import io.substate.purchases.StripeFact.InvoiceFact;
import io.substate.purchases.StripeFact.SubscriptionSnapshot;
import io.substate.stripe.StripeApi;
import io.substate.stripe.StripeFacts;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What outgoing events carry about a payment that the Stripe event does not say, read with the app's key before the
 * webhook's transaction opens, like the resolver's other reads (the committer never waits on Stripe): Stripe's fee on
 * a paid invoice's or one-time Checkout's payment (for {@code commission_percentage} and {@code takehome_percentage}),
 * and the code of a discount or promotion code the event names only by id ({@code offer_code}). Only a paid payment
 * with money in it is read, once per delivery of its event, with a short timeout. A failed read never fails the
 * webhook: the field stays unknown (null) and the reason is logged once per app and reason, naming neither the key nor
 * Stripe's message (which quotes the key).
 */
final class PaymentReads {
    private static final Logger LOG = LoggerFactory.getLogger(PaymentReads.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final String stripeApiBase;
    private final Set<String> logged = ConcurrentHashMap.newKeySet();

    PaymentReads(String stripeApiBase) {
        this.stripeApiBase = stripeApiBase;
    }

    InvoiceFact withPaymentDetails(App app, InvoiceFact invoice, StripeReadMemo memo) {
        if (!"paid".equals(invoice.status()) || invoice.amountPaid() <= 0 || invoice.fee() != null) {
            return invoice;
        }
        StripeApi api = api(app);
        if (api == null) {
            return invoice;
        }
        InvoiceFact read = call(app, () -> memo.fee(invoice.invoiceId(), () -> api.paymentFee(invoice.chargeId(),
                invoice.paymentIntentId(), invoice.invoiceId()))).flatMap(fee -> fee).map(fee -> invoice.withFee(fee.fee(), fee.amount()))
                .orElse(invoice);
        if (read.offerCode() != null || read.discountId() == null) {
            return read;
        }
        return call(app, () -> api.invoiceOfferCode(invoice.invoiceId())).map(read::withOfferCode).orElse(read);
    }

    /**
     * The subscription's latest invoice read from Stripe, with its payment's details, when it is paid and bills this
     * subscription; else null. For a subscription Substate does not know yet, so that its INITIAL_PURCHASE carries
     * the first invoice's tax and fee even when {@code customer.subscription.created} comes before the invoice's event.
     * The invoice is reported as of the subscription's event.
     */
    InvoiceFact paidLatestInvoice(App app, SubscriptionSnapshot subscription, StripeReadMemo memo) {
        StripeApi api = api(app);
        if (api == null || subscription.latestInvoiceId() == null) {
            return null;
        }
        String invoiceId = subscription.latestInvoiceId();
        InvoiceFact invoice = call(app, () -> StripeFacts.fromInvoiceObject(
                memo.invoice(invoiceId, () -> api.invoice(invoiceId)), subscription.eventId(), subscription.created(),
                subscription.livemode())).orElse(null);
        if (invoice == null || !"paid".equals(invoice.status())
                || !subscription.subscriptionId().equals(invoice.subscriptionId())) {
            return null;
        }
        return withPaymentDetails(app, invoice, memo);
    }

    /** A paid one-time Checkout Session with its payment's fee, and the code of its promotion code. */
    CheckoutFact withPaymentDetails(App app, CheckoutFact session) {
        if (!"paid".equals(session.paymentStatus()) || session.amountTotal() == null || session.amountTotal() <= 0) {
            return session;
        }
        StripeApi api = api(app);
        if (api == null) {
            return session;
        }
        CheckoutFact read = session;
        if (session.paymentIntentId() != null && session.fee() == null) {
            read = call(app, () -> api.paymentFee(null, session.paymentIntentId(), null)).flatMap(fee -> fee)
                    .map(fee -> session.withFee(fee.fee(), fee.amount())).orElse(session);
        }
        if (read.promotionCodeId() == null) {
            return read;
        }
        CheckoutFact withFee = read;
        return call(app, () -> api.promotionCode(session.promotionCodeId())).map(withFee::withOfferCode)
                .orElse(withFee);
    }

    /** The app's Stripe client, or null (logged once) when it has no key. */
    private StripeApi api(App app) {
        String key = app.stripeApiKey();
        if (key == null || key.isBlank()) {
            logOnce(app, "no_api_key", "has no Stripe API key");
            return null;
        }
        return new StripeApi(stripeApiBase, key.trim(), TIMEOUT);
    }

    /** The read's answer, or empty (the reason logged once) when Stripe refused or failed. */
    private <T> Optional<T> call(App app, java.util.function.Supplier<T> read) {
        try {
            return Optional.ofNullable(read.get());
        } catch (ApiException e) {
            String code = e.errorCode().name().toLowerCase(java.util.Locale.ROOT);
            logOnce(app, code, "could not read a payment's details from Stripe (" + code
                    + (e.errorCode() == ErrorCode.STRIPE_API_KEY_INVALID ? "; a restricted key needs read access to "
                            + "Charges, Payment Intents, Invoices, Promotion Codes and Balance" : "") + ")");
            return Optional.empty();
        }
    }

    private void logOnce(App app, String reason, String what) {
        if (logged.add(app.id() + " " + reason)) {
            LOG.warn("App {} {}: outgoing events carry commission_percentage and takehome_percentage (or offer_code)"
                    + " null until it can. Logged once per app and reason.", app.id(), what);
        }
    }
}
