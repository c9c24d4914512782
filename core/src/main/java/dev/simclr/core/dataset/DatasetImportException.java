package dev.simclr.core.dataset;

/** Input that cannot become a dataset; the message says which file and what is wrong. Nothing was published. */
public class DatasetImportException extends RuntimeException {
    public DatasetImportException(String message) {
        super(message);
    }

    public DatasetImportException(String message, Throwable cause) {
        super(message, cause);
    }
}
