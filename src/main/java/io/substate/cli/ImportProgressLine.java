package io.substate.cli;

import io.substate.sync.StripeImportRecord;
import java.io.PrintStream;
import java.time.Clock;

/**
 * The Stripe import's progress on stderr: on a terminal one line redrawn in place (phase, a bar that moves while
 * pages are read, counts and rate; Stripe's lists say no total, so the bar cannot show a fraction), else a line per
 * update at most every 5 s for logs. Hand-written: no progress-bar library is among the build's dependencies, and
 * this is all it takes.
 */
final class ImportProgressLine {
    private static final long LOG_EVERY_MILLIS = 5_000;
    private static final int BAR = 20;

    private final PrintStream err;
    private final boolean terminal;
    private final Clock clock;
    private final long started;
    private long lastPrinted;
    private int tick;
    private boolean drawn;

    ImportProgressLine(PrintStream err, boolean terminal, Clock clock) {
        this.err = err;
        this.terminal = terminal;
        this.clock = clock;
        this.started = clock.millis();
    }

    synchronized void update(StripeImportRecord record, long objectsDone) {
        long now = clock.millis();
        if (!terminal && now - lastPrinted < LOG_EVERY_MILLIS) {
            return;
        }
        lastPrinted = now;
        var c = record.counters();
        double seconds = Math.max(0.001, (now - started) / 1000.0);
        String counts = String.format("%s: %d read, %d imported, %d unchanged, %d without App User ID, %d failed, "
                        + "%.0f objects/s", record.phase(),
                c.path("subscriptions_read").asLong() + c.path("checkout_sessions_read").asLong()
                        + c.path("refunds_read").asLong(),
                c.path("imported").asLong(), c.path("unchanged").asLong(), c.path("without_app_user_id").asLong(),
                c.path("failed").asLong(), objectsDone / seconds);
        if (terminal) {
            // A marker runs along the bar: alive without claiming a fraction no one knows.
            int at = tick++ % BAR;
            String bar = "[" + "=".repeat(at) + ">" + " ".repeat(BAR - at - 1) + "]";
            err.print("\r" + bar + " " + counts + "\u001b[K");
            drawn = true;
        } else {
            err.println("Import " + counts);
        }
        err.flush();
    }

    synchronized void end() {
        if (drawn) {
            err.println();
        }
    }
}
