package io.substate.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.substate.stripe.StripeApi.PaymentFee;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the Stripe import already knows of Stripe while it applies a page, so the resolver does not read it again: the
 * invoices a subscription page carried expanded, and the fees read for the paid invoices of the objects just applied.
 * Each subscription becomes two events (the subscription, whose new purchase reads its paid first invoice and that
 * invoice's fee; then the invoice itself, whose fee is read again): without the memo that was about five Stripe reads
 * per subscription, with it two (BENCHMARKS.md, Stripe import).
 *
 * <p>Only what does not change is kept: an invoice as the same page listed it, and the fee on a paid invoice's payment
 * (a balance transaction is final). A read that failed or found no fee is not kept. Bounded to the last
 * {@code capacity} entries, a few pages' worth, so an import of any size holds the same. Thread-safe. Webhooks use
 * {@link #NONE}: each delivery reads what it needs.
 */
public final class StripeReadMemo {
    /** Keeps nothing. */
    public static final StripeReadMemo NONE = new StripeReadMemo(0);

    private final int capacity;
    private final Map<String, Object> entries;

    private StripeReadMemo(int capacity) {
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Object> eldest) {
                return size() > StripeReadMemo.this.capacity;
            }
        };
    }

    /** A memo of the last {@code capacity} invoices and fees. */
    public static StripeReadMemo bounded(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        return new StripeReadMemo(capacity);
    }

    /** Keeps an invoice as a list page carried it (an object with an {@code id}); anything else is ignored. */
    public void putInvoice(JsonNode invoice) {
        if (capacity > 0 && invoice != null && invoice.isObject() && invoice.path("id").isTextual()) {
            put("invoice " + invoice.path("id").asText(), invoice);
        }
    }

    /** The invoice kept under {@code id}, else {@code read}'s answer (not kept: only listed invoices are). */
    JsonNode invoice(String id, Supplier<JsonNode> read) {
        Object kept = get("invoice " + id);
        return kept instanceof JsonNode invoice ? invoice : read.get();
    }

    /** The fee kept for the payment of {@code invoiceId}, else {@code read}'s answer, kept when it found one. */
    Optional<PaymentFee> fee(String invoiceId, Supplier<Optional<PaymentFee>> read) {
        if (capacity == 0 || invoiceId == null) {
            return read.get();
        }
        String key = "fee " + invoiceId;
        if (get(key) instanceof PaymentFee fee) {
            return Optional.of(fee);
        }
        Optional<PaymentFee> fee = read.get();
        fee.ifPresent(found -> put(key, found));
        return fee;
    }

    private synchronized Object get(String key) {
        return capacity == 0 ? null : entries.get(key);
    }

    private synchronized void put(String key, Object value) {
        entries.put(key, value);
    }
}
