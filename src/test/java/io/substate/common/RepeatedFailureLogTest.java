package io.substate.common;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A loop failing five times a second through an outage logs one WARN, a reminder a minute, and its recovery. */
class RepeatedFailureLogTest {
    private final Logger logger = (Logger) LoggerFactory.getLogger("test.repeated-failure-log");
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private long now = TimeUnit.HOURS.toNanos(5);
    private final RepeatedFailureLog failures = new RepeatedFailureLog(logger, "Claiming webhook deliveries",
            () -> now);

    @BeforeEach
    void attach() {
        appender.start();
        logger.addAppender(appender);
    }

    @AfterEach
    void detach() {
        logger.detachAppender(appender);
    }

    @Test
    void anOutageIsOneWarningAReminderAMinuteAndOneLineWhenItEnds() {
        failures.succeeded();
        assertThat(lines()).as("nothing to say while it works").isEmpty();

        failFor(150); // 150 s of 200 ms polls.
        failures.succeeded();
        failures.succeeded();

        assertThat(lines()).containsExactly(
                "WARN Claiming webhook deliveries failed: " + outage(),
                "WARN Claiming webhook deliveries still fails: 301 times in 60 s, last: " + outage(),
                "WARN Claiming webhook deliveries still fails: 601 times in 120 s, last: " + outage(),
                "INFO Claiming webhook deliveries works again, after 750 failures in 149 s");
    }

    @Test
    void aNewOutageAfterARecoveryIsWarnedAtOnce() {
        failFor(1);
        failures.succeeded();
        failFor(1);

        assertThat(lines()).filteredOn(line -> line.startsWith("WARN")).hasSize(2);
        assertThat(lines().get(1)).isEqualTo("INFO Claiming webhook deliveries works again, after 5 failures in 0 s");
    }

    private void failFor(int seconds) {
        for (int i = 0; i < seconds * 5; i++) {
            failures.failed(outage());
            now += TimeUnit.MILLISECONDS.toNanos(200);
        }
        now -= TimeUnit.MILLISECONDS.toNanos(200);
    }

    private static SQLTransientConnectionException outage() {
        return new SQLTransientConnectionException("substate - Connection is not available");
    }

    private List<String> lines() {
        return appender.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
    }
}
