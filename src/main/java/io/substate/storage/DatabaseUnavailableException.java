package io.substate.storage;

/** The database cannot be reached or migrated at start-up; the message says which and why. */
public class DatabaseUnavailableException extends RuntimeException {
    public DatabaseUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
