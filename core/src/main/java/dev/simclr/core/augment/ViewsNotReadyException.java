package dev.simclr.core.augment;

import dev.simclr.core.Transient;

/** The view shards a trainer needs are not written yet: augment-service is behind or restarting. */
public class ViewsNotReadyException extends IllegalStateException implements Transient {
    public ViewsNotReadyException(String message) {
        super(message);
    }
}
