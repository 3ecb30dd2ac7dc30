package org.omnileads.omlha.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.omnileads.omlha.agent.lab.LabAgent;

/**
 * The Prometheus files in packaging/prometheus against the real tools and a real scrape: promtool accepts the
 * agent's /metrics and the alert rules, the rules pass their unit tests, and the rules and the Grafana dashboard
 * query only metric names the agent exports. Needs promtool (Debian package {@code prometheus}).
 */
@Tag("lab")
class PrometheusToolsIT {
    private static final Duration LIMIT = Duration.ofSeconds(15);
    private static final Path PROMETHEUS_DIR = Path.of(
            System.getProperty("omlha.home", System.getProperty("user.dir") + "/../.."), "packaging", "prometheus").normalize();
    private static final Path ALERTS = PROMETHEUS_DIR.resolve("omlha-alerts.yml");
    private static final Path ALERT_TESTS = PROMETHEUS_DIR.resolve("omlha-alerts.test.yml");
    private static final Path DASHBOARD = PROMETHEUS_DIR.resolve("omlha-grafana-dashboard.json");
    /** Series Prometheus writes itself for every target, not the agent. */
    private static final Set<String> SCRAPE_SERIES = Set.of("up");
    private static final Set<String> PROMQL_WORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "bool", "offset", "and", "or", "unless", "inf", "nan");

    /**
     * What promtool 2.42's linter says about Micrometer's processor meters (ProcessorMetrics, not ours), by family:
     * it exits 3 on them. The agent's own omlha_* families must never appear here.
     */
    private static final Map<String, String> MICROMETER_LINT = Map.of(
            "process_cpu_time_ns_total", "process_cpu_time_ns_total metric names should not contain abbreviated units",
            "system_cpu_count", "system_cpu_count non-histogram and non-summary metrics should not have \"_count\" suffix");

    record Result(int exit, String output) {}

    @Test
    void theScrapePassesPromtoolAndTheRulesAndDashboardQueryOnlyExportedNames() throws Exception {
        String body;
        try (Cluster c = Cluster.create(1)) {
            String probes = "  probes {\n"
                    + "    svc { type = exec, command = [\"/bin/true\"], interval = 200ms }\n"
                    + "    pg { type = postgresql, url = \"jdbc:postgresql://192.0.2.11:5432/postgres\", user = \"omlha\", interval = 1s }\n"
                    // No Redis and no Sentinels in this lab: the group's Sentinel view (and its metrics) says so.
                    + "    rd { type = redis, uri = \"redis://192.0.2.11:6379\", sentinel-master = \"mymaster\", interval = 1s,"
                    + " timeout = 300ms,\n      sentinels = [\"192.0.2.61:26379\", \"192.0.2.62:26379\", \"192.0.2.63:26379\"] }\n"
                    + "  }\n";
            String groups = "  groups {\n"
                    + "    web { vrid = 51, priority = 150, vips = [\"" + Cluster.VIP4 + "/24\"], advert-interval = 100ms,"
                    + " track = [{ probe = svc, weight = 0 }] }\n"
                    + "    pgsql-rw { vrid = 61, vips = [\"192.0.2.65/24\"], follow = { probe = pg, role = primary } }\n"
                    + "    redis { vrid = 71, vips = [\"192.0.2.71/24\"], follow = { probe = rd, role = master } }\n"
                    + "  }";
            LabAgent n1 = c.agent(1, "  metrics.listen = \"192.0.2.11:9273\"\n" + probes + groups);
            Await.until(LIMIT, "n1 holds the VIP", () -> n1.isMasterWithVips("web"), c::diagnostics);
            String response = c.scrapeMetrics("192.0.2.11");
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
            body = httpBody(response);
        }

        Result check = promtool(body, "check", "metrics");
        List<String> omlhaProblems = check.output().lines().filter(l -> l.startsWith("omlha_")).toList();
        assertEquals(List.of(), omlhaProblems, "promtool's problems with the agent's own metrics:\n" + check.output());
        List<String> otherProblems = check.output().lines().filter(l -> !MICROMETER_LINT.containsValue(l)).toList();
        assertEquals(List.of(), otherProblems, "promtool check metrics, exit " + check.exit());
        Result checkWithoutKnown = promtool(without(body, MICROMETER_LINT.keySet()), "check", "metrics");
        assertEquals(0, checkWithoutKnown.exit(), "promtool check metrics without " + MICROMETER_LINT.keySet() + ":\n" + checkWithoutKnown.output());

        Set<String> exported = exportedNames(body);
        Set<String> omlhaExported = exported.stream().filter(n -> n.startsWith("omlha_")).collect(Collectors.toCollection(TreeSet::new));
        assertTrue(omlhaExported.contains("omlha_postgresql_stale_primary"), "a follow group exports the stale primary: " + omlhaExported);
        assertTrue(omlhaExported.contains("omlha_redis_stale_master"), "a Redis follow group exports the stale master: " + omlhaExported);

        Set<String> inRules = new TreeSet<>();
        Matcher expr = Pattern.compile("(?m)^\\s*expr:\\s*(.+)$").matcher(Files.readString(ALERTS));
        while (expr.find()) {
            inRules.addAll(metricNames(expr.group(1)));
        }
        assertEquals(Set.of(), unknown(inRules, exported), "names in omlha-alerts.yml the agent does not export");

        Set<String> inDashboard = new TreeSet<>();
        for (String query : dashboardQueries(new ObjectMapper().readTree(DASHBOARD.toFile()))) {
            inDashboard.addAll(metricNames(query));
        }
        assertEquals(Set.of(), unknown(inDashboard, exported), "names in the dashboard the agent does not export");
        Set<String> notShown = new TreeSet<>(omlhaExported);
        notShown.removeAll(inDashboard);
        assertEquals(Set.of(), notShown, "agent metrics without a dashboard panel");
        assertTrue(inDashboard.contains("jvm_memory_used_bytes"), "the dashboard shows the JVM heap");
    }

    @Test
    void promtoolAcceptsTheAlertRules() throws Exception {
        Result result = promtool(null, "check", "rules", ALERTS.toString());
        assertEquals(0, result.exit(), result.output());
        assertTrue(result.output().contains("SUCCESS: 9 rules found"), result.output());
    }

    @Test
    void theAlertRulesPassTheirUnitTests() throws Exception {
        Result result = promtool(null, "test", "rules", ALERT_TESTS.toString());
        assertEquals(0, result.exit(), result.output());
        assertTrue(result.output().contains("SUCCESS"), result.output());
    }

    @Test
    void theDashboardIsJsonWithPromqlThatPromtoolParses() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        assertEquals(39, dashboard.path("schemaVersion").asInt(), "schemaVersion");
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        int i = 0;
        for (String query : dashboardQueries(dashboard)) {
            String promql = query.replace("$__rate_interval", "5m").replaceAll("\\$\\w+", ".*");
            rules.append("      - record: dashboard:query").append(i++).append("\n        expr: '")
                    .append(promql.replace("'", "''")).append("'\n");
        }
        Path file = Files.createTempFile("omlha-dashboard-queries", ".yml");
        try {
            Files.writeString(file, rules);
            Result result = promtool(null, "check", "rules", file.toString());
            assertEquals(0, result.exit(), result.output() + "\n" + rules);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** The body of an HTTP response: everything after the first blank line. */
    private static String httpBody(String response) {
        Matcher blank = Pattern.compile("\r?\n\r?\n").matcher(response);
        assertTrue(blank.find(), "no end of HTTP headers in: " + response);
        return response.substring(blank.end());
    }

    /** Every sample name in a Prometheus text exposition, and every family name its TYPE lines declare. */
    private static Set<String> exportedNames(String exposition) {
        Set<String> names = new TreeSet<>();
        for (String line : exposition.lines().toList()) {
            if (line.startsWith("# TYPE ")) {
                names.add(line.split(" ")[2]);
            } else if (!line.isBlank() && !line.startsWith("#")) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        return names;
    }

    /** The exposition without the samples and HELP/TYPE lines of the given families. */
    private static String without(String exposition, Set<String> families) {
        return exposition.lines()
                .filter(line -> !families.contains(line.startsWith("# HELP ") || line.startsWith("# TYPE ")
                        ? line.split(" ")[2] : line.split("[{ ]", 2)[0]))
                .collect(Collectors.joining("\n", "", "\n"));
    }

    private static Set<String> unknown(Set<String> used, Set<String> exported) {
        Set<String> unknown = new TreeSet<>(used);
        unknown.removeAll(exported);
        unknown.removeAll(SCRAPE_SERIES);
        return unknown;
    }

    /**
     * The metric names a PromQL expression selects: what is left once strings, label matchers, ranges, grouping
     * clauses and Grafana variables are gone, minus function calls and keywords.
     */
    static Set<String> metricNames(String promql) {
        String bare = promql
                .replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", " ")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
                .replaceAll("\\$\\w+", " ");
        Set<String> names = new TreeSet<>();
        Matcher identifier = Pattern.compile("\\b([a-zA-Z_:][a-zA-Z0-9_:]*)\\b(?!\\s*\\()").matcher(bare);
        while (identifier.find()) {
            if (!PROMQL_WORDS.contains(identifier.group(1).toLowerCase())) {
                names.add(identifier.group(1));
            }
        }
        return names;
    }

    /** Every panel target's expr (rows included) and the metric of every label_values(...) variable query. */
    private static List<String> dashboardQueries(JsonNode dashboard) {
        List<String> queries = new ArrayList<>();
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            JsonNode query = variable.path("query");
            String text = query.isObject() ? query.path("query").asText() : query.asText();
            Matcher labelValues = Pattern.compile("label_values\\((.+),\\s*\\w+\\)\\s*$").matcher(text);
            if (variable.path("type").asText().equals("query") && labelValues.find()) {
                queries.add(labelValues.group(1));
            }
        }
        collectExprs(dashboard.path("panels"), queries);
        assertTrue(queries.size() > 10, "the dashboard has queries: " + queries);
        return queries;
    }

    private static void collectExprs(JsonNode panels, List<String> out) {
        for (JsonNode panel : panels) {
            for (JsonNode target : panel.path("targets")) {
                out.add(target.path("expr").asText());
            }
            collectExprs(panel.path("panels"), out);
        }
    }

    private static Result promtool(String stdin, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("promtool"));
        command.addAll(List.of(args));
        Path input = Files.createTempFile("omlha-promtool", ".txt");
        try {
            Files.writeString(input, stdin == null ? "" : stdin);
            Process process;
            try {
                process = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(input.toFile()).start();
            } catch (IOException e) {
                throw new AssertionError("promtool not found: install Debian's prometheus package", e);
            }
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("promtool " + String.join(" ", args) + " did not finish in 60 s");
            }
            return new Result(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(input);
        }
    }
}
