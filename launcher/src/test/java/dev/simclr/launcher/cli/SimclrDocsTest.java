package dev.simclr.launcher.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.simclr.infra.RepoLayout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The docs cannot drift silently from the code: the commands and flags they name exist, their relative links
 * resolve, the environment variables they name are read somewhere, every variable read is in
 * docs/configuration.md, and README.md keeps its line budget. Each test lists everything wrong at once, with the
 * file it is in.
 */
class SimclrDocsTest {
    static final Path ROOT = RepoLayout.locate().root();
    static final int README_MAX_LINES = 200;

    /**
     * Set or read by other programs (the OS, the JVM, glibc, libtorch, DJL, the aws CLI, the shell): the docs may name them, and
     * configuration.md need not list them even where our scripts pass them on. Reviewed: keep it short.
     */
    static final Set<String> OTHERS = Set.of("HOME", "PATH", "CI", "HOSTNAME", "LD_PRELOAD", "JDK_JAVA_OPTIONS", "JAVA_HOME",
            "BASH_SOURCE", "MALLOC_CHECK_", "PYTORCH_LIBRARY_PATH", "ONEDNN_VERBOSE", "OMP_NUM_THREADS", "AWS_REQUEST_CHECKSUM_CALCULATION",
            "AWS_RESPONSE_CHECKSUM_VALIDATION", "AWS_DEFAULT_REGION");

    private static final Pattern ENV_NAME = Pattern.compile("[A-Z][A-Z0-9]*_[A-Z0-9_]*");

    @Test
    void readmeStaysWithinItsLineBudget() throws IOException {
        int lines = Files.readAllLines(ROOT.resolve("README.md")).size();
        assertThat(lines).as("README.md has %d lines; it is a front page: move detail to docs/ (at most %d)", lines,
                README_MAX_LINES).isLessThanOrEqualTo(README_MAX_LINES);
    }

    @Test
    void everyRelativeLinkResolves() {
        Pattern link = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
        List<String> problems = new ArrayList<>();
        for (Path md : markdownFiles()) {
            Matcher m = link.matcher(read(md));
            while (m.find()) {
                String target = m.group(1);
                if (target.matches("^[a-z][a-z0-9+.-]*:.*") || target.startsWith("#")) {
                    continue; // a web address or an anchor in the same page
                }
                String file = target.replaceFirst("#.*$", "");
                Path resolved = md.getParent().resolve(file).normalize();
                if (!Files.exists(resolved)) {
                    problems.add(rel(md) + ": link to " + target + " does not resolve");
                } else if (target.contains("#") && file.endsWith(".md")
                        && !anchors(read(resolved)).contains(target.substring(target.indexOf('#') + 1))) {
                    problems.add(rel(md) + ": link to " + target + ": no such heading in " + file);
                }
            }
        }
        assertThat(problems).as("broken relative links").isEmpty();
    }

    /** The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as hyphens. */
    static Set<String> anchors(String markdown) {
        Set<String> anchors = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^#{1,6}\\s+(.+?)\\s*$").matcher(markdown);
        while (m.find()) {
            anchors.add(m.group(1).toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-'));
        }
        return anchors;
    }

    @Test
    void everyCommandAndFlagTheDocsNameExists() {
        CommandLine cli = Simclr.commandLine();
        Map<String, CommandLine> commands = cli.getSubcommands();
        Set<String> scriptCommands = scriptCommands();
        Set<String> benchCases = benchCases();
        List<String> problems = new ArrayList<>();
        for (Path md : markdownFiles()) {
            for (List<String> tokens : simclrInvocations(read(md))) {
                String where = rel(md) + ": ./simclr " + String.join(" ", tokens) + ": ";
                String first = tokens.get(0);
                if (first.startsWith("-")) {
                    checkFlags(cli.getCommandSpec(), tokens, where, problems);
                    continue;
                }
                if (isPlaceholder(first)) {
                    continue;
                }
                for (String command : first.split("\\\\?\\|")) {
                    if (command.equals("bench")) {
                        if (tokens.size() > 1 && !isPlaceholder(tokens.get(1)) && !tokens.get(1).startsWith("-")) {
                            for (String c : tokens.get(1).split("\\\\?\\|")) {
                                if (!benchCases.contains(c)) {
                                    problems.add(where + "no bench case '" + c + "' (the script has " + benchCases
                                            + ")");
                                }
                            }
                        }
                    } else if (commands.containsKey(command)) {
                        checkFlags(commands.get(command).getCommandSpec(), tokens, where, problems);
                    } else if (!scriptCommands.contains(command)) {
                        problems.add(where + "no command '" + command + "' (./simclr --help lists "
                                + new TreeSet<>(commands.keySet()) + " and the script's " + scriptCommands + ")");
                    }
                }
            }
        }
        assertThat(problems).as("commands and flags the docs name that ./simclr does not have").isEmpty();
    }

    @Test
    void theHelpListsTheScriptsOwnCommandsAndEveryBenchCase() {
        String help = Simclr.commandLine().getUsageMessage(CommandLine.Help.Ansi.OFF);
        for (String command : scriptCommands()) {
            assertThat(help).as("./simclr --help names the script's command '%s'", command)
                    .containsPattern("(?m)^  " + Pattern.quote(command) + "\\b");
        }
        assertThat(Set.of(Simclr.BENCH_CASES.split("\\|")))
                .as("Simclr.BENCH_CASES (./simclr --help) against the bench cases of the simclr script")
                .isEqualTo(benchCases());
    }

    @Test
    void everyVariableTheDocsNameIsReadSomewhere() {
        Map<String, String> reads = variablesRead();
        Set<String> known = new TreeSet<>(reads.keySet());
        known.addAll(variablesSetByDeployment());
        known.addAll(javaEnvLiterals());
        known.addAll(propertyKeysInEnvForm());
        known.addAll(OTHERS);
        List<String> problems = new ArrayList<>();
        for (Path md : markdownFiles()) {
            for (String name : variablesNamed(read(md))) {
                if (!known.contains(name)) {
                    problems.add(rel(md) + ": " + name + " is read nowhere (Java, *.properties, the simclr script,"
                            + " compose, deploy/)");
                }
            }
        }
        assertThat(problems).as("environment variables the docs name that nothing reads").isEmpty();
    }

    @Test
    void everyVariableTheCodeReadsIsInConfigurationMd() {
        Set<String> documented = variablesNamed(read(ROOT.resolve("docs/configuration.md")));
        List<String> problems = new ArrayList<>();
        variablesRead().forEach((name, where) -> {
            if (!documented.contains(name) && !OTHERS.contains(name)) {
                problems.add(name + " (read in " + where + ") is not in docs/configuration.md");
            }
        });
        assertThat(problems).as("variables the code reads that docs/configuration.md leaves out").isEmpty();
    }

    // ---- the docs

    static List<Path> markdownFiles() {
        return files(p -> p.toString().endsWith(".md"));
    }

    /** The words after each {@code ./simclr} up to the end of its code span, a shell separator or a comment. */
    static List<List<String>> simclrInvocations(String text) {
        List<List<String>> out = new ArrayList<>();
        Matcher m = Pattern.compile("\\./simclr[ \\t]+").matcher(text);
        while (m.find()) {
            int end = text.indexOf('\n', m.end());
            String rest = text.substring(m.end(), end < 0 ? text.length() : end);
            List<String> tokens = new ArrayList<>();
            for (String raw : rest.split("[ \\t]+")) {
                int tick = raw.indexOf('`');
                String t = tick >= 0 ? raw.substring(0, tick) : raw;
                if (t.equals("|") || t.equals("||") || t.equals(";") || t.equals("&&") || t.startsWith("#")
                        || t.startsWith(">") || t.startsWith("<<")) {
                    break;
                }
                String clean = t.replaceAll("[),;:.\"']+$", "");
                if (!clean.isEmpty()) {
                    tokens.add(clean);
                }
                if (tick >= 0 || t.endsWith(",") || t.endsWith(".") || t.endsWith(")") || t.endsWith(";")
                        || t.endsWith("\"")) {
                    break;
                }
            }
            if (!tokens.isEmpty()) {
                out.add(tokens);
            }
        }
        return out;
    }

    private static boolean isPlaceholder(String token) {
        return token.startsWith("<") || token.startsWith("[") || token.startsWith("…") || token.equals("...")
                || token.startsWith("$") || token.startsWith("*");
    }

    private static void checkFlags(CommandSpec spec, List<String> tokens, String where, List<String> problems) {
        for (String t : tokens) {
            if (!t.startsWith("-") || t.equals("-") || t.equals("--") || t.startsWith("-D")) {
                continue;
            }
            String flag = t.replaceFirst("=.*$", "");
            for (String alternative : flag.split("\\\\?\\|")) {
                if (alternative.startsWith("-") && spec.findOption(alternative) == null) {
                    problems.add(where + "'" + spec.qualifiedName() + "' has no option " + alternative);
                }
            }
        }
    }

    /**
     * Environment variables named in the prose's code spans (a name, or {@code NAME=value}, not a constant such as
     * {@code Topics.REQUEST_PARTITIONS} or a value such as {@code =SASL_SSL}), and in code blocks as {@code $NAME},
     * {@code ${NAME}} or {@code NAME=}.
     */
    static Set<String> variablesNamed(String text) {
        Set<String> names = new TreeSet<>();
        StringBuilder prose = new StringBuilder();
        boolean fenced = false;
        for (String line : text.split("\n", -1)) {
            if (line.strip().startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            if (fenced) {
                Matcher m = Pattern.compile("\\$\\{?([A-Z][A-Z0-9]*_[A-Z0-9_]*)|(?:^|\\s)([A-Z][A-Z0-9]*_[A-Z0-9_]*)=")
                        .matcher(line);
                while (m.find()) {
                    names.add(m.group(1) != null ? m.group(1) : m.group(2));
                }
            } else {
                prose.append(line).append('\n');
            }
        }
        Matcher span = Pattern.compile("`([^`\\n]+)`").matcher(prose);
        while (span.find()) {
            Matcher m = Pattern.compile("(?<![A-Za-z0-9_.=/*-])" + ENV_NAME.pattern() + "(?![A-Za-z0-9_.(*])")
                    .matcher(span.group(1));
            while (m.find()) {
                names.add(m.group());
            }
        }
        return names;
    }

    // ---- the code

    /**
     * Every variable something of ours reads, with where: Java ({@code getenv}, {@code getOrDefault},
     * {@code containsKey} on the environment), {@code ${NAME...}} in *.properties under src/main, the keys of
     * {@code @ConfigProperty} and {@code @ConfigMapping} in their environment form where no properties file maps them
     * to a variable of their own, the simclr script, and the compose files' interpolations.
     */
    static Map<String, String> variablesRead() {
        Map<String, String> reads = new TreeMap<>();
        Map<String, String> mapped = new TreeMap<>(); // property key -> variable
        for (Path p : files(f -> f.toString().endsWith(".properties") && f.toString().contains("/src/main/"))) {
            Matcher m = Pattern.compile("(?m)^([%\\w.-]+)\\s*=\\s*.*?\\$\\{([A-Z][A-Z0-9_]*)[:}]").matcher(read(p));
            while (m.find()) {
                mapped.put(m.group(1), m.group(2));
                reads.putIfAbsent(m.group(2), rel(p));
            }
        }
        for (Path p : files(f -> f.toString().endsWith(".java") && f.toString().contains("/src/main/java/"))) {
            String java = read(p);
            Matcher m = Pattern.compile("(?:getenv|getOrDefault|containsKey|env\\.get)\\(\\s*\"([A-Z][A-Z0-9_]*)\"").matcher(java);
            while (m.find()) {
                reads.putIfAbsent(m.group(1), rel(p));
            }
            List<String> keys = new ArrayList<>();
            Matcher property = Pattern.compile("@ConfigProperty\\(name\\s*=\\s*\"([^\"]+)\"").matcher(java);
            while (property.find()) {
                keys.add(property.group(1));
            }
            Matcher mapping = Pattern.compile("@ConfigMapping\\(prefix\\s*=\\s*\"([^\"]+)\"").matcher(java);
            if (mapping.find()) {
                Matcher member = Pattern.compile("(?m)^\\s+\\w[\\w<>, ]*\\s+(\\w+)\\(\\)\\s*;").matcher(java);
                while (member.find()) {
                    keys.add(mapping.group(1) + "." + member.group(1).replaceAll("([a-z0-9])([A-Z])", "$1-$2")
                            .toLowerCase(Locale.ROOT));
                }
            }
            for (String key : keys) {
                if (key.startsWith("quarkus.") || key.startsWith("kafka.")) {
                    continue; // the framework's, set in the properties files
                }
                reads.putIfAbsent(mapped.getOrDefault(key, key.toUpperCase(Locale.ROOT).replaceAll("[.-]", "_")),
                        rel(p) + " (" + key + ")");
            }
        }
        Matcher script = Pattern.compile("\\$\\{?([A-Z][A-Z0-9_]*)").matcher(read(ROOT.resolve("simclr")));
        while (script.find()) {
            reads.putIfAbsent(script.group(1), "simclr");
        }
        for (Path p : composeFiles()) {
            Matcher m = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)").matcher(read(p));
            while (m.find()) {
                reads.putIfAbsent(m.group(1), rel(p));
            }
        }
        OTHERS.forEach(reads::remove);
        return reads;
    }

    /** Variables the compose files, Kubernetes manifests, Dockerfiles and env examples set for the processes. */
    static Set<String> variablesSetByDeployment() {
        Set<String> names = new TreeSet<>();
        Pattern yamlKey = Pattern.compile("(?m)^\\s+-?\\s*(?:name:\\s*|\\{name:\\s*)?([A-Z][A-Z0-9_]*)\\s*[:,=]");
        Pattern envFile = Pattern.compile("(?m)^([A-Z][A-Z0-9_]*)=");
        Pattern docker = Pattern.compile("(?m)(?:^(?:ENV|ARG)\\s+|\\s)([A-Z][A-Z0-9_]*)=");
        for (Path p : files(f -> {
            String s = ROOT.relativize(f).toString();
            return s.startsWith("deploy/") || s.equals("docker-compose.yml") || s.equals(".env.example");
        })) {
            String name = p.getFileName().toString();
            String text = read(p);
            Pattern pattern = name.endsWith(".yml") || name.endsWith(".yaml") ? yamlKey
                    : name.startsWith("Dockerfile") ? docker : name.contains(".env") ? envFile : null;
            if (pattern != null) {
                Matcher m = pattern.matcher(text);
                while (m.find()) {
                    names.add(m.group(1));
                }
            }
        }
        return names;
    }

    /** Names in environment form spelt as Java string literals (e.g. a variable set for a child process). */
    static Set<String> javaEnvLiterals() {
        Set<String> names = new TreeSet<>();
        for (Path p : files(f -> f.toString().endsWith(".java") && f.toString().contains("/src/main/java/"))) {
            Matcher m = Pattern.compile("\"(" + ENV_NAME.pattern() + ")\"").matcher(read(p));
            while (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    /** Every key of a properties file under src/main in the form MicroProfile Config reads from the environment. */
    static Set<String> propertyKeysInEnvForm() {
        Set<String> names = new TreeSet<>();
        for (Path p : files(f -> f.toString().endsWith(".properties") && f.toString().contains("/src/main/"))) {
            Matcher m = Pattern.compile("(?m)^([a-z][\\w.-]*)\\s*=").matcher(read(p));
            while (m.find()) {
                names.add(m.group(1).toUpperCase(Locale.ROOT).replaceAll("[.-]", "_"));
            }
        }
        return names;
    }

    /** The simclr script's own top-level commands (the labels of its {@code case "$cmd"}). */
    static Set<String> scriptCommands() {
        String script = read(ROOT.resolve("simclr"));
        String top = script.substring(script.indexOf("case \"$cmd\" in"));
        return labels(top.substring(0, top.indexOf("esac")), "  ");
    }

    /** The cases of the simclr script's {@code bench} function (its {@code case "$what"}). */
    static Set<String> benchCases() {
        String script = read(ROOT.resolve("simclr"));
        String bench = script.substring(script.indexOf("case \"$what\" in"));
        return labels(bench.substring(0, bench.indexOf("esac")), "    ");
    }

    private static Set<String> labels(String caseBlock, String indent) {
        Matcher m = Pattern.compile("(?m)^" + indent + "([a-z][a-z-]*(?:\\|[a-z][a-z-]*)*)\\)").matcher(caseBlock);
        Set<String> labels = new TreeSet<>();
        while (m.find()) {
            labels.addAll(Arrays.asList(m.group(1).split("\\|")));
        }
        return labels;
    }

    private static List<Path> composeFiles() {
        List<Path> out = new ArrayList<>(List.of(ROOT.resolve("docker-compose.yml")));
        out.addAll(files(f -> ROOT.relativize(f).toString().startsWith("deploy/compose/")));
        return out;
    }

    /** Files of the checkout, without build output, hidden folders (the data directory, .git) or downloads. */
    private static List<Path> files(java.util.function.Predicate<Path> filter) {
        Set<String> skipped = Set.of("target", "node_modules", "reports", "exports", "embeddings");
        List<Path> out = new ArrayList<>();
        try {
            Files.walkFileTree(ROOT, new java.nio.file.SimpleFileVisitor<>() {
                @Override
                public java.nio.file.FileVisitResult preVisitDirectory(Path dir,
                        java.nio.file.attribute.BasicFileAttributes attrs) {
                    String name = dir.getFileName() == null ? "" : dir.getFileName().toString();
                    return !dir.equals(ROOT) && (name.startsWith(".") || skipped.contains(name))
                            ? java.nio.file.FileVisitResult.SKIP_SUBTREE : java.nio.file.FileVisitResult.CONTINUE;
                }

                @Override
                public java.nio.file.FileVisitResult visitFile(Path file,
                        java.nio.file.attribute.BasicFileAttributes attrs) {
                    if (attrs.isRegularFile() && filter.test(file)) {
                        out.add(file);
                    }
                    return java.nio.file.FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.sort(null);
        return out;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String rel(Path p) {
        return ROOT.relativize(p).toString();
    }
}
