package dev.simclr.contracts;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The version of the code in this JVM, stamped by the build (git-commit-id-maven-plugin writes
 * {@code dev/simclr/contracts/build.properties}): the commit, with {@code -dirty} when the tree had changes that were
 * not committed. Every run records the version of the worker that ran it; "unknown" only for a build made without a
 * git checkout.
 */
public final class CodeVersion {
    public static final String UNKNOWN = "unknown";
    private static final String CURRENT = read();

    private CodeVersion() {}

    public static String current() {
        return CURRENT;
    }

    private static String read() {
        try (InputStream in = CodeVersion.class.getResourceAsStream("build.properties")) {
            if (in == null) {
                return UNKNOWN;
            }
            Properties p = new Properties();
            p.load(in);
            String commit = p.getProperty("git.commit.id.abbrev", "");
            if (commit.isBlank()) {
                return UNKNOWN;
            }
            return commit + ("true".equals(p.getProperty("git.dirty")) ? "-dirty" : "");
        } catch (IOException e) {
            return UNKNOWN;
        }
    }
}
