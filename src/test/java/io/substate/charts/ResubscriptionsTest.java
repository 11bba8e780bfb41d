package io.substate.charts;

import static org.assertj.core.api.Assertions.assertThat;

import io.substate.charts.Resubscriptions.PaidSpan;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The matching rule of churn's resubscriptions, on one customer's paid spans (times in arbitrary units). */
class ResubscriptionsTest {
    /** A paid span that starts a run and ends one: a whole subscription without renewal at another price. */
    static PaidSpan run(String purchase, int seq, long start, long end) {
        return new PaidSpan(purchase, seq, start, end, true, true);
    }

    @Test
    void aSubscriptionRestartingAfterItsOwnLapseIsAResubscriptionAsRestartsSays() {
        PaidSpan first = run("purA", 0, 0, 10);
        PaidSpan renewedAtANewPrice = new PaidSpan("purA", 1, 10, 20, true, false);
        PaidSpan restart = run("purA", 2, 30, 40);
        // The first span continues at a new price: it ends no run.
        PaidSpan continued = new PaidSpan("purA", 0, 0, 10, false, true);

        assertThat(Resubscriptions.of(List.of(continued, renewedAtANewPrice, restart))).containsExactly(restart);
        assertThat(Resubscriptions.of(List.of(first, restart))).containsExactly(restart);
    }

    @Test
    void anotherSubscriptionStartingAtOrAfterAnExpiryIsAResubscription() {
        PaidSpan expired = run("purA", 0, 0, 10);
        PaidSpan later = run("purB", 0, 15, 45);
        PaidSpan atTheExpiry = run("purC", 0, 10, 40);

        assertThat(Resubscriptions.of(List.of(expired, later))).containsExactly(later);
        assertThat(Resubscriptions.of(List.of(expired, atTheExpiry))).containsExactly(atTheExpiry);
    }

    @Test
    void aSubscriptionStartedBeforeTheExpiryIsNewAndTheNextStartResubscribes() {
        PaidSpan expires = run("purA", 0, 0, 10);
        PaidSpan upgradeBefore = run("purB", 0, 5, 100);
        PaidSpan next = run("purC", 0, 12, 100);
        PaidSpan stillActive = run("purD", 0, 0, 200);
        PaidSpan startedWhileActive = run("purE", 0, 50, 80);

        assertThat(Resubscriptions.of(List.of(expires, upgradeBefore))).isEmpty();
        assertThat(Resubscriptions.of(List.of(expires, upgradeBefore, next))).containsExactly(next);
        assertThat(Resubscriptions.of(List.of(stillActive, startedWhileActive))).isEmpty();
    }

    @Test
    void theNextStartClosesEveryLapseBeforeIt() {
        PaidSpan a = run("purA", 0, 0, 10);
        PaidSpan b = run("purB", 0, 1, 11);
        PaidSpan c = run("purC", 0, 20, 50);
        PaidSpan d = run("purD", 0, 21, 50);
        PaidSpan e = run("purE", 0, 60, 70);

        assertThat(Resubscriptions.of(List.of(a, b, c, d))).containsExactly(c);
        // c and d expire at 50: e comes back after them.
        assertThat(Resubscriptions.of(List.of(a, b, c, d, e))).containsExactlyInAnyOrder(c, e);
    }

    @Test
    void startsAtTheSameInstantAreOrderedByPurchaseIdThenSequence() {
        PaidSpan expired = run("purZ", 0, 0, 10);
        PaidSpan upper = run("purB", 0, 20, 30);
        PaidSpan lower = run("pura", 0, 20, 30);

        // Byte order: 'B' (66) before 'a' (97), as SQL compares them in the V9 migration.
        assertThat(Resubscriptions.of(List.of(expired, lower, upper))).containsExactly(upper);
    }
}
