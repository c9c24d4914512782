package dev.simclr.launcher.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One command line run through picocli as {@code ./simclr} runs it: its exit status and what it wrote on stderr. */
record CliRun(int exit, String err) {
    static CliRun of(String... args) {
        StringWriter err = new StringWriter();
        var cli = Simclr.commandLine();
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new CliRun(exit, err.toString().strip());
    }
}
