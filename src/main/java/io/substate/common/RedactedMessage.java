package io.substate.common;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * Logback's {@code %msg} with secrets removed ({@link Secrets#redact}); {@code logback.xml} uses it for every line, so
 * a secret that slips into a message (an argument, an exception message) never reaches the log.
 */
public final class RedactedMessage extends MessageConverter {
    @Override
    public String convert(ILoggingEvent event) {
        String message = super.convert(event);
        if (event.getMarkerList() != null && event.getMarkerList().contains(Secrets.SHOWN_ONCE)) {
            return message;
        }
        return Secrets.redact(message);
    }
}
