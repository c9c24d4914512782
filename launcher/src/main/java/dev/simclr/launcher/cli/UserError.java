package dev.simclr.launcher.cli;

import java.util.Locale;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A mistake of the user's (a missing file, a malformed option): the CLI prints its message as one line and exits
 * 2. Whatever else goes wrong is reported as an internal error, without the exception's own text.
 */
final class UserError extends RuntimeException {
    UserError(String message) {
        super(message);
    }

    /** {@code HxW} (e.g. 32x32) as height and width, or a message that says so. */
    static int[] size(String option, String value) {
        if (value == null || !value.matches("[1-9][0-9]{0,4}[xX][1-9][0-9]{0,4}")) {
            throw new UserError(option + ": expected HxW such as 32x32, got '" + value + "'");
        }
        String[] hw = value.toLowerCase(Locale.ROOT).split("x");
        return new int[] {Integer.parseInt(hw[0]), Integer.parseInt(hw[1])};
    }

    /** A folder that must exist. */
    static Path file(String option, Path file) {
        if (file == null) {
            throw new UserError(option + ": give the file to import");
        }
        if (!Files.isRegularFile(file)) {
            throw new UserError(option + ": no file " + file.toAbsolutePath()
                    + (Files.isDirectory(file) ? " (it is a folder)" : ""));
        }
        return file;
    }

    static Path folder(String option, Path dir) {
        if (dir == null) {
            throw new UserError(option + ": give the folder to import from");
        }
        if (!Files.isDirectory(dir)) {
            throw new UserError(option + ": no folder " + dir.toAbsolutePath()
                    + (Files.exists(dir) ? " (it is a file)" : ""));
        }
        return dir;
    }

    /** A file's text, or a message naming the file and what is wrong with it. */
    static String read(String what, Path file) {
        try {
            if (Files.isDirectory(file)) {
                throw new UserError(what + ": " + file + " is a folder, not a file");
            }
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new UserError(what + ": no file " + file.toAbsolutePath());
        } catch (java.nio.charset.MalformedInputException e) {
            throw new UserError(what + ": " + file + " is not UTF-8 text");
        } catch (IOException e) {
            throw new UserError(what + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
        }
    }
}
