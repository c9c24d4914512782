package dev.simclr.core.store;

/** The object store refused or failed an operation after retries; the message names the key and the cause. */
public class ObjectStoreException extends RuntimeException {
    public ObjectStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
