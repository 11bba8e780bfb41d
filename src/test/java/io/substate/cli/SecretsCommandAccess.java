package io.substate.cli;

import java.io.PrintStream;
import java.util.Map;

/** {@code substate secrets rotate} with a given environment and streams, for tests outside this package. */
public final class SecretsCommandAccess {
    public Object rotate(Map<String, String> env, PrintStream out, PrintStream err) {
        return new SecretsCommand.Rotate(env, out, err);
    }
}
