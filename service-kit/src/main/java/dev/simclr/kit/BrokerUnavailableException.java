package dev.simclr.kit;

import dev.simclr.core.Transient;

/** The broker did not acknowledge a record within the send budget: the work is retried, not failed. */
public class BrokerUnavailableException extends IllegalStateException implements Transient {
    public BrokerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
