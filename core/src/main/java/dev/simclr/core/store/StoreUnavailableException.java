package dev.simclr.core.store;

import dev.simclr.core.Transient;

/** The object store did not answer (I/O errors, 5xx) for the whole retry budget: wait and try again later. */
public class StoreUnavailableException extends ObjectStoreException implements Transient {
    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
