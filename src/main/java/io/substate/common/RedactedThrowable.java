package io.substate.common;

import ch.qos.logback.classic.pattern.ExtendedThrowableProxyConverter;
import ch.qos.logback.classic.spi.IThrowableProxy;

/**
 * Logback's {@code %xEx} (stack traces with their exceptions' messages) with secrets removed: exception messages embed
 * values (a driver's error, a failed statement, another system's answer), and every stack trace passes here.
 */
public final class RedactedThrowable extends ExtendedThrowableProxyConverter {
    @Override
    protected String throwableProxyToString(IThrowableProxy proxy) {
        return Secrets.redact(super.throwableProxyToString(proxy));
    }
}
