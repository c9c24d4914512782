package dev.simclr.launcher.cli;

import dev.simclr.engine.EngineCommand;
import dev.simclr.contracts.Topics;
import dev.simclr.contracts.StackSettings;
import dev.simclr.launcher.stack.EmbeddedStack;
import dev.simclr.infra.RepoLayout;
import dev.simclr.contracts.TopicAdmin;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./simclr}: runs the embedded default and talks to the platform. */
@Command(name = "simclr", mixinStandardHelpOptions = true,
        description = "SimCLR experiment platform: embedded stack, datasets, experiments.",
        footer = {"", "Commands of the ./simclr script itself:",
                "  build  mvn -DskipTests install; up, demo and bench build when sources change",
                "  bench  " + Simclr.BENCH_CASES,
                "         benchmarks against PyTorch/torchvision in the same run; baselines from",
                "         bench/python or SIMCLR_BASELINES (docs/benchmarks.md)"},
        subcommands = {Simclr.Up.class, Simclr.Down.class, Simclr.Status.class, Simclr.Env.class,
                DatasetCommands.Import.class, DatasetCommands.Datasets.class, ExperimentCommands.Submit.class,
                ExperimentCommands.Experiments.class, ExperimentCommands.Cancel.class, ExperimentCommands.Report.class,
                ExportCommand.class, EmbedCommand.class, Simclr.Demo.class, EngineCommand.class,
                Simclr.CreateTopics.class})
public final class Simclr {
    /** The cases of the simclr script's {@code bench} command (SimclrDocsTest checks them against the script). */
    static final String BENCH_CASES = "augment|trainer|trainer-profile|kernels|memory|quality|busy|peak";

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with its error handling: every failure one line on stderr. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Simclr());
        cli.getSubcommands().values().forEach(Simclr::helpOptions);
        return cli
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    cmd.getErr().println("error: " + describe(e));
                    if (System.getenv("SIMCLR_DEBUG") != null) {
                        e.printStackTrace(cmd.getErr());
                    }
                    return exitStatus(e);
                });
    }

    /** -h/--help on every command, so that {@code ./simclr demo --help} answers. */
    private static void helpOptions(CommandLine cmd) {
        CommandLine.Model.CommandSpec spec = cmd.getCommandSpec();
        if (spec.findOption("--help") == null) {
            String[] names = spec.findOption("-h") == null ? new String[] {"-h", "--help"} : new String[] {"--help"};
            spec.addOption(CommandLine.Model.OptionSpec.builder(names).usageHelp(true)
                    .description("Show this help message and exit.").build());
        }
        cmd.getSubcommands().values().forEach(Simclr::helpOptions);
    }

    /** Exit status of a command that failed on bad input: what the user gave must change, not the platform. */
    static final int USER_ERROR = 2;
    /** Exit status of any other failure (the platform, the store, a bug). */
    static final int FAILURE = 1;

    /**
     * The one mapping of failures to what the user sees. Bad input — a user error, a refused argument, a dataset
     * that does not import — is shown as it is, exit 2; a store that refuses or does not answer is shown as it is,
     * exit 1; anything else as an internal error without Java's text, exit 1.
     */
    static boolean isUserError(Throwable e) {
        return e instanceof UserError || e instanceof IllegalArgumentException
                || e instanceof dev.simclr.core.dataset.DatasetImportException;
    }

    static int exitStatus(Throwable e) {
        return isUserError(e) ? USER_ERROR : FAILURE;
    }

    /** One line for the user (see {@link #isUserError}): our own messages as they are, never Java's text. */
    static String describe(Throwable e) {
        if (isUserError(e) || e instanceof IllegalStateException
                || e instanceof dev.simclr.core.store.ObjectStoreException) {
            return oneLine(e.getMessage());
        }
        if (e instanceof java.net.ConnectException || e instanceof java.net.http.HttpConnectTimeoutException) {
            return "the platform does not answer (is it up? ./simclr up, or set SIMCLR_EVAL_URL)";
        }
        if (e instanceof java.io.UncheckedIOException || e instanceof java.io.IOException) {
            return "I/O: " + oneLine(e.getMessage());
        }
        return "internal error (" + e.getClass().getSimpleName() + "); SIMCLR_DEBUG=1 shows where";
    }

    /** A message on one line: a reader's text (e.g. an image decoder's) may hold line breaks. */
    private static String oneLine(String message) {
        return message == null ? "(no message)" : message.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }

    /**
     * The environment the CLI takes its target from ({@link #targetSettings}): the process's; a test points the
     * CLI's own code path at its servers by replacing it.
     */
    static Map<String, String> environment = System.getenv();

    static EmbeddedStack stack() {
        return new EmbeddedStack(RepoLayout.locate(), System.getenv());
    }

    /** The stack's settings, unless the caller's environment points at another stack. */
    static StackSettings targetSettings() throws Exception {
        Map<String, String> env = environment;
        return env.containsKey("AWS_ACCESS_KEY_ID") && env.containsKey("S3_ENDPOINT")
                ? StackSettings.fromMap(env) : stack().settings();
    }

    static void printEndpoints(EmbeddedStack stack) throws Exception {
        StackSettings s = stack.settings();
        System.out.println("Kafka bootstrap servers : " + s.kafkaBootstrapServers());
        System.out.println("S3 endpoint             : " + s.s3Endpoint() + "  (bucket " + s.s3Bucket() + ", region "
                + s.s3Region() + ")");
        System.out.println("S3 credentials          : " + stack.credentialsFile() + "  (eval \"$(./simclr env)\")");
        for (EmbeddedStack.Service svc : stack.services()) {
            System.out.printf("%-24s: %s  (/q/health, /q/metrics)%n", svc.name(), svc.url());
        }
        stack.services().stream().filter(v -> v.name().equals("eval-service")).forEach(v -> System.out.println(
                "web page                : " + v.url() + "/  (experiments live, submit)"));
        System.out.println("data directory          : " + stack.dataDir());
    }

    @Command(name = "up", description = "Start the broker, the S3 server and the four services (trainer-service SIMCLR_TRAINER_INSTANCES times, default 2); wait until healthy.")
    static final class Up implements Callable<Integer> {
        @CommandLine.Option(names = "--infra-only", description = "Start only the broker and the S3 server.")
        boolean infraOnly;

        @CommandLine.Option(names = "--no-supervisor", description = "Do not start the supervisor that restarts "
                + "what dies or stays unhealthy.")
        boolean noSupervisor;

        @Override
        public Integer call() throws Exception {
            EmbeddedStack stack = stack();
            // one hold of the stack's lock: a down or another up never slips in between
            stack.up(!infraOnly, !infraOnly && !noSupervisor, System.out);
            System.out.println("platform is up");
            printEndpoints(stack);
            return 0;
        }
    }

    @Command(name = "down", description = "Stop exactly the processes ./simclr up started.")
    static final class Down implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            List<String> stopped = stack().down();
            System.out.println(stopped.isEmpty() ? "nothing was running" : "stopped " + String.join(", ", stopped));
            return 0;
        }
    }

    @Command(name = "status", description = "Health of each component of the embedded stack.")
    static final class Status implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            Map<String, String> states = stack().status();
            states.forEach((k, v) -> System.out.printf("%-45s %s%n", k, v));
            return states.values().stream().allMatch(v -> v.startsWith("healthy")) ? 0 : 3;
        }
    }

    @Command(name = "topics", description = "Create the platform's topics where missing on $KAFKA_BOOTSTRAP_SERVERS "
            + "(docker-compose and Kubernetes run it before the services).")
    static final class CreateTopics implements Callable<Integer> {
        @CommandLine.Option(names = "--replication", defaultValue = "1",
                description = "copies of each partition (default ${DEFAULT-VALUE})")
        short replication;

        @Override
        public Integer call() {
            String bootstrap = StackSettings.fromEnv().kafkaBootstrapServers();
            TopicAdmin.ensureTopics(bootstrap, Topics.all(), replication);
            Topics.all().forEach(t -> System.out.printf("%-26s %d partition(s)%n", t.name(), t.partitions()));
            return 0;
        }
    }

    @Command(name = "env", description = "Print the stack's endpoints as shell exports: eval \"$(./simclr env)\".")
    static final class Env implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            stack().settings().asEnv().entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .forEach(e -> System.out.println("export " + e.getKey() + "='" + e.getValue() + "'"));
            // S3Proxy answers NotImplemented to the default checksum headers of newer aws CLI / boto3
            System.out.println("export AWS_REQUEST_CHECKSUM_CALCULATION=when_required");
            System.out.println("export AWS_RESPONSE_CHECKSUM_VALIDATION=when_required");
            System.out.println("export AWS_DEFAULT_REGION='" + stack().settings().s3Region() + "'");
            return 0;
        }
    }

    @Command(name = "demo", description = "Start the stack, import Fashion-MNIST and sklearn's digits if missing, run the three studies "
            + "of recipes/demo.json at --scale and print their tables.")
    static final class Demo implements Callable<Integer> {
        @CommandLine.Option(names = "--scale", defaultValue = "demo",
                description = "the recipe's scale: demo, cpu or full (default ${DEFAULT-VALUE})")
        String scale;

        @Override
        public Integer call() throws Exception {
            long t0 = System.nanoTime();
            EmbeddedStack stack = stack();
            stack.up(true, true, System.out);
            printEndpoints(stack);
            DatasetCommands.importFashionMnistIfMissing(stack.settings(), System.out);
            DatasetCommands.importDigitsIfMissing(stack.settings(), System.out);
            DatasetCommands.printDatasets(stack.settings(), System.out);
            int rc = ExperimentCommands.submit(RepoLayout.locate().root().resolve("recipes/demo.json"), scale, null,
                    true, false, null, System.out); // follow it, reusing what this stack already ran
            System.out.printf("demo took %.0f s in all; stop the stack with ./simclr down%n",
                    (System.nanoTime() - t0) / 1e9);
            return rc;
        }
    }
}
