package dev.ferry.perf.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The start-up rows of one bench run (issue 14: cold starts, warm-up, deploy, the CLI,
 * memory), one column per {@code ferry dev} variant, and the goals, judged on the last variant
 * (the default; the ones before it are its baselines, such as the pool turned off).
 */
final class StartupReport {

    /** The share of the warm throughput that the warm-up row waits for. */
    static final double WARM_SHARE = 0.8;

    static final double COLD_P50_GOAL_MS = 50;
    static final double COLD_P99_GOAL_MS = 150;
    static final double WARM_UP_GOAL_MS = 1000;
    static final double DEPLOY_GOAL_MS = 750;
    static final double LS_GOAL_MS = 200;
    static final double IDLE_RSS_GOAL_MIB = 64;

    private final List<VariantFigures> variants = new ArrayList<>();
    private final String cli;
    private final Map<String, Object> settings;

    /**
     * @param cli how the CLI rows ran the {@code ferry} command, as the report names it
     * @param settings the rows' settings, for bench.json
     */
    StartupReport(String cli, Map<String, Object> settings) {
        this.cli = cli;
        this.settings = settings;
    }

    /** Adds a column for {@code variant}, in order, and returns its figures to fill in. */
    VariantFigures add(FerryVariant variant) {
        VariantFigures figures = new VariantFigures(variant);
        variants.add(figures);
        return figures;
    }

    List<VariantFigures> variants() {
        return List.copyOf(variants);
    }

    /** The table, one row per figure and a column per variant, then what failed. */
    String markdown() {
        StringBuilder out = new StringBuilder();
        out.append("| start-up (issue 14) |");
        variants.forEach(v -> out.append(' ').append(v.variant().name()).append(" |"));
        out.append(" goal |\n|---|");
        variants.forEach(v -> out.append("---:|"));
        out.append("---|\n");
        out.append("| `ferry dev` arguments added |");
        variants.forEach(
                v -> out.append(' ').append(v.variant().shownArguments()).append(" |"));
        out.append(" |\n");
        row(out, "`ferry dev` start to ready (ms)", VariantFigures::devStartMillis, 0, "");
        row(out, "first start after `ferry dev` (ms)", VariantFigures::firstStartMillis, 0, "");
        row(out, "cold start p50 (ms)", v -> v.coldStartPercentile(50), 0, "<= " + format(COLD_P50_GOAL_MS, 0));
        row(out, "cold start p99 (ms)", v -> v.coldStartPercentile(99), 0, "<= " + format(COLD_P99_GOAL_MS, 0));
        row(out, "warm-up: first 250 ms, share of warm", warmUp(WarmUpCurve::firstWindowShare), 2, "");
        row(out, "warm-up: first second, share of warm", warmUp(WarmUpCurve::firstSecondShare), 2, "");
        out.append("| warm-up: time to 80 % of warm (ms) |");
        for (VariantFigures v : variants) {
            out.append(' ')
                    .append(v.warmUp().map(StartupReport::timeToWarm).orElse("–"))
                    .append(" |");
        }
        out.append(" <= ").append(format(WARM_UP_GOAL_MS, 0)).append(" |\n");
        row(out, "warm-up: warm throughput, 16 connections (req/s)", warmUp(WarmUpCurve::warmRate), 0, "");
        row(
                out,
                "deploy to first 200 from the new version, median (ms)",
                v -> Ratios.median(v.deployMillis()),
                0,
                "<= " + format(DEPLOY_GOAL_MS, 0));
        row(out, "`ferry deploy` exits, median (ms)", v -> Ratios.median(v.deployCliMillis()), 0, "");
        row(out, "`ferry ls`, median (ms)", v -> Ratios.median(v.lsMillis()), 0, "<= " + format(LS_GOAL_MS, 0));
        row(
                out,
                "idle `hello` container RSS (MiB)",
                v -> v.container().map(ContainerProcesses.Memory::rssMib).orElse(Double.NaN),
                1,
                "<= " + format(IDLE_RSS_GOAL_MIB, 0));
        row(
                out,
                "idle `hello` container PSS (MiB)",
                v -> v.container().map(ContainerProcesses.Memory::pssMib).orElse(Double.NaN),
                1,
                "");
        poolRow(
                out,
                "idle pool member RSS (MiB)",
                VariantFigures::poolMemberRssMib,
                "<= " + format(IDLE_RSS_GOAL_MIB, 0));
        poolRow(out, "idle pool member PSS (MiB)", VariantFigures::poolMemberPssMib, "");
        out.append("\nCLI rows: ").append(cli).append('\n');
        for (VariantFigures v : variants) {
            v.notStartedReason()
                    .ifPresent(why -> out.append(v.variant().name())
                            .append(": ")
                            .append(why)
                            .append('\n'));
            v.warmUp().ifPresent(curve -> {
                if (v.warmUpContainers() != 1) {
                    out.append(v.variant().name())
                            .append(": the warm-up load met ")
                            .append(v.warmUpContainers())
                            .append(" containers of the new version (expected: 1)\n");
                }
                if (curve.errors() > 0) {
                    out.append(v.variant().name())
                            .append(": warm-up answers other than 200: ")
                            .append(curve.errors())
                            .append('\n');
                }
            });
            if (v.deployOtherAnswers() > 0) {
                out.append(v.variant().name())
                        .append(": answers other than 200 while deploying: ")
                        .append(v.deployOtherAnswers())
                        .append('\n');
            }
            for (String failure : v.failures()) {
                out.append(v.variant().name())
                        .append(": failed: ")
                        .append(failure)
                        .append('\n');
            }
        }
        return out.toString();
    }

    /** The time to {@link #WARM_SHARE} of warm in ms, or "not in N ms" when the ramp never got there. */
    private static String timeToWarm(WarmUpCurve curve) {
        double millis = curve.millisToReach(WARM_SHARE);
        return Double.isNaN(millis)
                ? "not in " + format(curve.warmFrom() * curve.window().toNanos() / 1e6, 0)
                : format(millis, 0);
    }

    private static ToDoubleFunction<VariantFigures> warmUp(ToDoubleFunction<WarmUpCurve> field) {
        return v -> v.warmUp().map(field::applyAsDouble).orElse(Double.NaN);
    }

    private void row(
            StringBuilder out, String label, ToDoubleFunction<VariantFigures> field, int decimals, String goal) {
        out.append("| ").append(label).append(" |");
        for (VariantFigures v : variants) {
            out.append(' ').append(format(field.applyAsDouble(v), decimals)).append(" |");
        }
        out.append(' ').append(goal).append(" |\n");
    }

    /** A pool member's figure, "n/a" for a variant that started but has no idle pool member. */
    private void poolRow(StringBuilder out, String label, ToDoubleFunction<VariantFigures> field, String goal) {
        out.append("| ").append(label).append(" |");
        for (VariantFigures v : variants) {
            double value = field.applyAsDouble(v);
            boolean none = v.notStartedReason().isEmpty() && v.container().isPresent() && Double.isNaN(value);
            out.append(' ').append(none ? "n/a" : format(value, 1)).append(" |");
        }
        out.append(' ').append(goal).append(" |\n");
    }

    /** The goals, each judged on the last variant, with the other variants' figures beside it. */
    List<String> goals() {
        List<String> lines = new ArrayList<>();
        if (variants.isEmpty()) {
            return lines;
        }
        goal(lines, "cold start p50", v -> v.coldStartPercentile(50), COLD_P50_GOAL_MS, "ms", 0);
        goal(lines, "cold start p99", v -> v.coldStartPercentile(99), COLD_P99_GOAL_MS, "ms", 0);
        String warmUp = "warm-up: time to " + Math.round(WARM_SHARE * 100) + " % of warm throughput";
        WarmUpCurve judgedCurve = variants.getLast().warmUp().orElse(null);
        if (judgedCurve != null && Double.isNaN(judgedCurve.millisToReach(WARM_SHARE))) {
            lines.add("missed: " + warmUp + " <= " + format(WARM_UP_GOAL_MS, 0) + " ms: " + timeToWarm(judgedCurve)
                    + " (" + variants.getLast().variant().name() + ")");
        } else {
            goal(lines, warmUp, warmUp(c -> c.millisToReach(WARM_SHARE)), WARM_UP_GOAL_MS, "ms", 0);
        }
        goal(lines, "deploy to first 200", v -> Ratios.median(v.deployMillis()), DEPLOY_GOAL_MS, "ms", 0);
        goal(lines, "ferry ls", v -> Ratios.median(v.lsMillis()), LS_GOAL_MS, "ms", 0);
        goal(
                lines,
                "idle container RSS",
                v -> v.container().map(ContainerProcesses.Memory::rssMib).orElse(Double.NaN),
                IDLE_RSS_GOAL_MIB,
                "MiB",
                1);
        VariantFigures judged = variants.getLast();
        if (judged.notStartedReason().isEmpty() && judged.container().isPresent()) {
            double pool = judged.poolMemberRssMib();
            if (Double.isNaN(pool)) {
                lines.add("missed: idle pool member RSS <= " + format(IDLE_RSS_GOAL_MIB, 0)
                        + " MiB: n/a (" + judged.variant().name() + " has no idle pool member: no container JVM"
                        + " with " + ContainerProcesses.POOL_FLAG + " that is not serving)");
            } else {
                goal(
                        lines,
                        "idle pool member RSS",
                        VariantFigures::poolMemberRssMib,
                        IDLE_RSS_GOAL_MIB,
                        "MiB",
                        1,
                        "n/a"); // a variant without a pool, such as pool-off
            }
        }
        return lines;
    }

    /**
     * "met: WHAT <= GOAL UNIT: FIGURE UNIT (last variant; other: FIGURE UNIT)", for the last
     * variant; nothing when it has no figure (it did not start, or the row failed).
     */
    private void goal(
            List<String> lines,
            String what,
            ToDoubleFunction<VariantFigures> field,
            double goal,
            String unit,
            int decimals) {
        goal(lines, what, field, goal, unit, decimals, "–");
    }

    /** {@link #goal(List, String, ToDoubleFunction, double, String, int)}, {@code missing} for another variant's absent figure. */
    private void goal(
            List<String> lines,
            String what,
            ToDoubleFunction<VariantFigures> field,
            double goal,
            String unit,
            int decimals,
            String missing) {
        VariantFigures judged = variants.getLast();
        double value = field.applyAsDouble(judged);
        if (Double.isNaN(value)) {
            return;
        }
        StringBuilder others = new StringBuilder();
        for (VariantFigures v : variants.subList(0, variants.size() - 1)) {
            others.append("; ").append(v.variant().name()).append(": ");
            double figure = field.applyAsDouble(v);
            if (v.notStartedReason().isPresent()) {
                others.append("did not start");
            } else if (Double.isNaN(figure)) {
                others.append(missing);
            } else {
                others.append(format(figure, decimals)).append(' ').append(unit);
            }
        }
        lines.add((value <= goal ? "met:    " : "missed: ") + what + " <= " + format(goal, 0) + " " + unit + ": "
                + format(value, decimals) + " " + unit + " (" + judged.variant().name() + others + ")");
    }

    /** Everything, for bench.json. */
    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cli", cli);
        m.put("settings", settings);
        m.put("variants", variants.stream().map(VariantFigures::json).toList());
        m.put("goals", goals());
        return m;
    }

    private static String format(double value, int decimals) {
        return BenchReport.format(value, decimals);
    }
}
