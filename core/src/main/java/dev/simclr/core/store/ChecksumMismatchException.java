package dev.simclr.core.store;

/** An object's bytes do not hash to the sha256 recorded for it: the object is corrupt or was replaced. */
public class ChecksumMismatchException extends RuntimeException {
    public ChecksumMismatchException(String key, String expected, String actual) {
        super("sha256 mismatch for " + key + ": expected " + expected + ", got " + actual);
    }
}
