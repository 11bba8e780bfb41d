package io.substate.config;

/** A setting from the environment or the command line that cannot be used; the message names it and says why. */
public class InvalidSettingException extends RuntimeException {
    public InvalidSettingException(String setting, String problem) {
        super(setting + ": " + problem);
    }
}
