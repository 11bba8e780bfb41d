package io.substate.charts;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which paid spans of one customer are resubscriptions, the "those that resubscribed" churn subtracts from expiries.
 *
 * <p>A span that starts a run (a subscription's first paid span, a trial's conversion, or a paid span after a lapse
 * of the same subscription) is a resubscription when one of the customer's paid subscriptions expired (a span ending a
 * run: expiry, or a refund that revoked access) after the customer's previous run start and at or before this one.
 * Any of the customer's subscriptions count, whatever their product, so a customer who lets one Stripe subscription
 * expire and buys another is not lost. The next start closes every lapse before it: a customer who comes back with two
 * subscriptions resubscribed once, and the second is new (a subscription started while another was still active is
 * new too). Trials are neither expiries nor starts; a trial's conversion is the start. Run starts at the same instant
 * are ordered by purchase id (byte order), then by sequence.
 *
 * <p>For one subscription alone this is exactly {@code restarts} (every run start after its first follows the lapse
 * of its own previous run), which is what ownerless purchases use. The V9 migration computes the same rule in SQL.
 */
final class Resubscriptions {
    private Resubscriptions() {}

    /** A production paid span, keyed by purchase and sequence; times in epoch ms. */
    record PaidSpan(String purchaseId, int seq, long startsAt, long endsAt, boolean endsRun, boolean startsRun) {}

    private static final Comparator<PaidSpan> START_ORDER = Comparator.comparingLong(PaidSpan::startsAt)
            .thenComparing(PaidSpan::purchaseId).thenComparingInt(PaidSpan::seq);

    /** The resubscriptions among the paid spans of one customer (every purchase of theirs). */
    static Set<PaidSpan> of(List<PaidSpan> spans) {
        List<PaidSpan> starts = new ArrayList<>(spans.stream().filter(PaidSpan::startsRun).toList());
        starts.sort(START_ORDER);
        long[] expiries = spans.stream().filter(PaidSpan::endsRun).mapToLong(PaidSpan::endsAt).sorted().toArray();
        Set<PaidSpan> result = new HashSet<>();
        Long previousStart = null;
        for (PaidSpan start : starts) {
            if (expiredBetween(expiries, previousStart, start.startsAt())) {
                result.add(start);
            }
            previousStart = start.startsAt();
        }
        return result;
    }

    /** Whether an expiry falls in {@code (after, upTo]} ({@code after} null: no lower bound). */
    private static boolean expiredBetween(long[] sortedExpiries, Long after, long upTo) {
        for (long expiry : sortedExpiries) {
            if (expiry > upTo) {
                return false;
            }
            if (after == null || expiry > after) {
                return true;
            }
        }
        return false;
    }
}
