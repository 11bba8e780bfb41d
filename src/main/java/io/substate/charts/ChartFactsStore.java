package io.substate.charts;

import io.substate.purchases.PurchaseState;
import io.substate.purchases.StoredPurchase;
import io.substate.storage.Sql;
import io.substate.storage.WriteBehind;
import io.substate.storage.WriteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * Rewrites a purchase's chart facts ({@code purchase_transactions}, {@code subscription_spans}) inside the caller's
 * transaction, so charts read what the purchase state says the moment it commits. A purchase has a handful of rows;
 * deleting and re-inserting them keeps the facts a pure function of the state.
 *
 * <p>One column is not the purchase's alone: {@code resubscribes} ({@link Resubscriptions}) depends on the owner's
 * other subscriptions, so it is matched again over the owner's spans whenever a purchase's spans change or the
 * purchase changes owner (transfer, merge, deletion of the customer). On PostgreSQL, two purchases of one customer
 * changed by concurrent transactions each match against the other's committed spans; the next change of either
 * matches again.
 */
public final class ChartFactsStore {
    private ChartFactsStore() {}

    /** The facts of one purchase with what they are filed under. */
    record Owned(String purchaseId, String projectId, boolean livemode, String customerId, ChartFacts facts) {}

    /**
     * Rewrites the facts of {@code purchase} that differ from those of its {@code previous} state, which the tables
     * already hold (every state change comes through here): most Stripe events change no chart fact, and many change
     * transactions but no span. Changed spans are matched again with the owner's other subscriptions.
     */
    public static void write(Handle h, StoredPurchase purchase, PurchaseState previous) {
        ChartFacts before = ChartFacts.of(previous);
        ChartFacts after = ChartFacts.of(purchase.state());
        boolean sameMode = previous.livemode() == purchase.state().livemode();
        boolean transactions = !sameMode || !before.transactions().equals(after.transactions());
        boolean spans = !sameMode || !before.spans().equals(after.spans());
        if (!transactions && !spans) {
            return;
        }
        // Nothing filed yet (a purchase's first priced state, the usual case for a new one): no rows to delete.
        if (transactions && !before.transactions().isEmpty()) {
            Sql.update(h, "DELETE FROM purchase_transactions WHERE purchase_id = ?", purchase.id());
        }
        Owned owned = owned(purchase, after);
        boolean spansInPlace = spans && sameMode && !before.spans().isEmpty()
                && before.spans().size() == after.spans().size();
        if (spansInPlace) {
            updateSpans(h, owned, before.spans());
        } else if (spans && !before.spans().isEmpty()) {
            Sql.update(h, "DELETE FROM subscription_spans WHERE purchase_id = ?", purchase.id());
        }
        insert(h, List.of(owned), transactions, spans && !spansInPlace);
        if (spans && (purchase.state().livemode() || previous.livemode()) && purchase.customerId() != null) {
            // Reads the owner's spans, this purchase's held writes included: on PostgreSQL deferred to the commit,
            // once for every owner the batch changed, instead of sending the batch's held writes for each event.
            WriteBehind.atCommit(h, MATCH_RESUBSCRIPTIONS, purchase.customerId());
        }
    }

    /**
     * Rewrites, in place, the columns that changed of spans that keep their place (same count, so the same keys):
     * a cancellation turns off will_renew, a renewal moves ends_at. An update touches only the indexes holding a
     * changed column, where deleting and inserting the rows changed every index of the table twice.
     */
    private static void updateSpans(Handle h, Owned after, List<ChartFacts.Span> before) {
        Owned previous = new Owned(after.purchaseId(), after.projectId(), after.livemode(), after.customerId(),
                new ChartFacts(List.of(), before));
        for (int seq = 0; seq < before.size(); seq++) {
            Map<String, Object> old = spanColumns(previous, before.get(seq));
            Map<String, Object> next = spanColumns(after, after.facts().spans().get(seq));
            List<String> changed = next.keySet().stream()
                    .filter(column -> !Objects.equals(old.get(column), next.get(column))).toList();
            if (changed.isEmpty()) {
                continue;
            }
            List<Object> values = new ArrayList<>();
            changed.forEach(column -> values.add(next.get(column)));
            values.add(after.purchaseId());
            values.add(seq);
            WriteBehind.later(h, WriteOrder.SUBSCRIPTION_SPAN_UPDATE, List.of(), "UPDATE subscription_spans SET "
                    + String.join(" = ?, ", changed) + " = ? WHERE purchase_id = ? AND seq = ?", values.toArray());
        }
    }

    /**
     * After {@code purchaseId} moved from {@code previousOwner} to {@code newOwner} (either may be null): both
     * owners' resubscriptions are matched again.
     */
    public static void ownerChanged(Handle h, String purchaseId, String previousOwner, String newOwner) {
        Sql.update(h, "UPDATE purchase_transactions SET customer_id = ?, cohort_at = " + FIRST_SEEN
                + " WHERE purchase_id = ?", newOwner, newOwner, purchaseId);
        if (newOwner == null) {
            ownRunsOnly(h, "purchase_id = ?", purchaseId);
        }
        matchResubscriptions(h, previousOwner);
        matchResubscriptions(h, newOwner);
    }

    /**
     * Before {@code customerId} is deleted and its purchases left ownerless: they count their own lapses only, and
     * their transactions belong to no customer's cohort.
     */
    public static void ownerDeleted(Handle h, String customerId) {
        ownRunsOnly(h, "purchase_id IN (SELECT id FROM purchases WHERE customer_id = ?)", customerId);
        Sql.update(h, "UPDATE purchase_transactions SET customer_id = NULL, cohort_at = NULL WHERE customer_id = ?",
                customerId);
    }

    /**
     * After customer {@code from} was merged into {@code into} (its purchases moved): its transactions join the
     * surviving customer's cohort. Resubscriptions are matched by the caller ({@link #matchResubscriptions}).
     */
    public static void ownerMerged(Handle h, String from, String into) {
        Sql.update(h, "UPDATE purchase_transactions SET customer_id = ?, cohort_at = " + FIRST_SEEN
                + " WHERE customer_id = ?", into, into, from);
    }

    /** The first_seen of the customer bound to its one parameter: the cohort a transaction of theirs is in. */
    private static final String FIRST_SEEN = "(SELECT first_seen FROM customers WHERE id = ?)";

    /** An ownerless purchase's resubscriptions are its own restarts ({@link Resubscriptions}). */
    private static void ownRunsOnly(Handle h, String which, String key) {
        Sql.update(h, "UPDATE subscription_spans SET resubscribes = (restarts AND livemode) WHERE " + which, key);
    }

    private static final WriteBehind.AtCommit<String> MATCH_RESUBSCRIPTIONS = ChartFactsStore::matchResubscriptions;

    /** Matches the resubscriptions of every production paid span of the customer's purchases; writes what changed. */
    public static void matchResubscriptions(Handle h, String customerId) {
        if (customerId != null) {
            matchResubscriptions(h, Set.of(customerId));
        }
    }

    /** A paid span of a customer's, and whether it is now flagged as a resubscription. */
    private record SpanRow(String customerId, Resubscriptions.PaidSpan span, boolean flagged) {}

    /** {@link #matchResubscriptions(Handle, String)} for several customers, with one read. */
    static void matchResubscriptions(Handle h, Set<String> customerIds) {
        // Plain JDBC (Sql), not jdbi: on SQLite this runs for every production event that changes spans, and jdbi's
        // statement machinery cost more than the read itself (BENCHMARKS.md). One customer keeps a fixed text.
        String which = customerIds.size() == 1 ? "p.customer_id = ?"
                : "p.customer_id IN (" + Sql.marks(customerIds.size()) + ")";
        List<SpanRow> rows = Sql.list(h, "SELECT p.customer_id, s.purchase_id, s.seq, s.starts_at, s.ends_at, "
                + "s.ends_run, s.starts_run, s.resubscribes FROM purchases p "
                + "JOIN subscription_spans s ON s.purchase_id = p.id "
                + "WHERE " + which + " AND s.livemode = ? AND s.is_trial = ?",
                rs -> new SpanRow(rs.getString("customer_id"), new Resubscriptions.PaidSpan(
                        rs.getString("purchase_id"), rs.getInt("seq"), rs.getLong("starts_at"), rs.getLong("ends_at"),
                        rs.getBoolean("ends_run"), rs.getBoolean("starts_run")), rs.getBoolean("resubscribes")),
                Sql.params(customerIds, true, false));
        Map<String, List<SpanRow>> byCustomer = new LinkedHashMap<>();
        rows.forEach(row -> byCustomer.computeIfAbsent(row.customerId(), c -> new ArrayList<>()).add(row));
        byCustomer.values().forEach(spans -> flagResubscriptions(h, spans));
    }

    /** Matches one owner's spans and writes the {@code resubscribes} flags that changed. */
    private static void flagResubscriptions(Handle h, List<SpanRow> rows) {
        Set<Resubscriptions.PaidSpan> matched = Resubscriptions.of(rows.stream().map(SpanRow::span).toList());
        for (SpanRow row : rows) {
            boolean flagged = matched.contains(row.span());
            if (flagged != row.flagged()) {
                WriteBehind.later(h, WriteOrder.SUBSCRIPTION_SPAN_UPDATE, List.of(), "UPDATE subscription_spans "
                        + "SET resubscribes = ? WHERE purchase_id = ? AND seq = ?",
                        flagged, row.span().purchaseId(), row.span().seq());
            }
        }
    }

    private static Owned owned(StoredPurchase purchase, ChartFacts facts) {
        return new Owned(purchase.id(), purchase.projectId(), purchase.state().livemode(), purchase.customerId(),
                facts);
    }

    /**
     * Inserts the facts of purchases that have none yet, one batch per table; a purchase with an owner then needs
     * {@link #matchResubscriptions}.
     */
    static void insert(Handle h, List<Owned> all) {
        insert(h, all, true, true);
    }

    private static void insert(Handle h, List<Owned> all, boolean withTransactions, boolean withSpans) {
        List<Object[]> transactions = new ArrayList<>();
        List<Object[]> spans = new ArrayList<>();
        for (Owned o : all) {
            List<ChartFacts.Transaction> newTransactions = withTransactions ? o.facts().transactions() : List.of();
            for (ChartFacts.Transaction t : newTransactions) {
                transactions.add(new Object[] {o.purchaseId(), t.id(), o.projectId(), o.livemode(), t.paidAt(),
                        Bucket.dayOf(t.paidAt()), Sql.text(t.currency()), t.amountMinor(), t.refundedAmountMinor(),
                        Sql.bigint(t.refundedAt()), t.fullyRefunded(), t.trialConversion(), Sql.text(o.customerId()),
                        Sql.text(o.customerId())});
            }
            int seq = 0;
            List<ChartFacts.Span> newSpans = withSpans ? o.facts().spans() : List.of();
            for (ChartFacts.Span s : newSpans) {
                List<Object> row = new ArrayList<>(List.of(o.purchaseId(), seq++));
                row.addAll(spanColumns(o, s).values());
                spans.add(row.toArray());
            }
        }
        // Held (WriteBehind.later): chart rows are read back only by statements that send held writes first.
        WriteBehind.later(h, WriteOrder.PURCHASE_TRANSACTION_INSERT, List.of(),
                "INSERT INTO purchase_transactions (purchase_id, id, project_id, livemode, paid_at, paid_day, "
                + "currency, amount_minor, refunded_amount_minor, refunded_at, fully_refunded, is_trial_conversion, "
                + "customer_id, cohort_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, " + FIRST_SEEN + ")",
                transactions);
        WriteBehind.later(h, WriteOrder.SUBSCRIPTION_SPAN_INSERT, List.of(), SPAN_INSERT, spans);
    }

    /** A span's columns other than its key (purchase_id, seq), in {@link #SPAN_INSERT}'s order. */
    private static Map<String, Object> spanColumns(Owned o, ChartFacts.Span s) {
        Map<String, Object> columns = new LinkedHashMap<>();
        columns.put("project_id", o.projectId());
        columns.put("livemode", o.livemode());
        columns.put("is_trial", s.trial());
        columns.put("starts_at", s.startsAt());
        columns.put("ends_at", s.endsAt());
        columns.put("start_day", Bucket.dayOf(s.startsAt()));
        columns.put("end_day", Bucket.dayOf(s.endsAt()));
        columns.put("currency", Sql.text(s.currency()));
        columns.put("amount_minor", s.amountMinor());
        columns.put("monthly_minor", s.monthlyMinor());
        columns.put("ends_run", s.endsRun());
        columns.put("starts_run", s.startsRun());
        columns.put("restarts", s.restarts());
        // The purchase's own lapses; matchResubscriptions adds its owner's other subscriptions.
        columns.put("resubscribes", s.restarts() && o.livemode());
        columns.put("converted", s.converted());
        columns.put("will_renew", s.willRenew());
        return columns;
    }

    private static final String SPAN_INSERT = "INSERT INTO subscription_spans (purchase_id, seq, project_id, livemode, "
            + "is_trial, starts_at, ends_at, start_day, end_day, currency, amount_minor, monthly_minor, ends_run, "
            + "starts_run, restarts, resubscribes, converted, will_renew) "
            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
}
