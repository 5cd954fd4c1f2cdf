package dev.ferry.perf.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the start-up rows measured on one {@code ferry dev} variant, filled in as the rows run
 * (by one thread, the bench's). Times are in milliseconds; a figure not measured is NaN or
 * empty, and each failed trial leaves a line in {@link #failures()}.
 */
final class VariantFigures {

    private final FerryVariant variant;
    private Optional<String> notStarted = Optional.empty();
    private double devStartMillis = Double.NaN;
    private double firstStartMillis = Double.NaN;
    private final List<Double> coldStartMillis = new ArrayList<>();
    private Optional<WarmUpCurve> warmUp = Optional.empty();
    private int warmUpContainers;
    private final List<Double> deployMillis = new ArrayList<>();
    private final List<Double> deployCliMillis = new ArrayList<>();
    private long deployOtherAnswers;
    private final List<Double> lsMillis = new ArrayList<>();
    private Optional<ContainerProcesses.Memory> container = Optional.empty();
    private final List<ContainerProcesses.Memory> poolMembers = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();

    VariantFigures(FerryVariant variant) {
        this.variant = variant;
    }

    FerryVariant variant() {
        return variant;
    }

    void notStarted(String why) {
        notStarted = Optional.of(why);
    }

    /** Why {@code ferry dev} did not start with this variant's arguments; empty when it started. */
    Optional<String> notStartedReason() {
        return notStarted;
    }

    void devStarted(double millis) {
        devStartMillis = millis;
    }

    double devStartMillis() {
        return devStartMillis;
    }

    void firstStart(double millis) {
        firstStartMillis = millis;
    }

    double firstStartMillis() {
        return firstStartMillis;
    }

    void coldStart(double millis) {
        coldStartMillis.add(millis);
    }

    List<Double> coldStartMillis() {
        return List.copyOf(coldStartMillis);
    }

    /** The cold starts' percentile {@code p} (nearest rank, as HdrHistogram gives it); NaN for none. */
    double coldStartPercentile(double p) {
        return nearestRank(coldStartMillis, p);
    }

    void warmUp(WarmUpCurve curve, int containers) {
        warmUp = Optional.of(curve);
        warmUpContainers = containers;
    }

    Optional<WarmUpCurve> warmUp() {
        return warmUp;
    }

    /** How many containers of the new version the warm-up load met (expected: 1). */
    int warmUpContainers() {
        return warmUpContainers;
    }

    void deployed(double toFirstNewAnswerMillis, double cliMillis, long otherAnswers) {
        deployMillis.add(toFirstNewAnswerMillis);
        deployCliMillis.add(cliMillis);
        deployOtherAnswers += otherAnswers;
    }

    List<Double> deployMillis() {
        return List.copyOf(deployMillis);
    }

    List<Double> deployCliMillis() {
        return List.copyOf(deployCliMillis);
    }

    /** Answers other than 200 (and broken connections) the deploy row's poller got, all trials together. */
    long deployOtherAnswers() {
        return deployOtherAnswers;
    }

    void listed(double millis) {
        lsMillis.add(millis);
    }

    List<Double> lsMillis() {
        return List.copyOf(lsMillis);
    }

    void memory(ContainerProcesses.Memory idleContainer, List<ContainerProcesses.Memory> idlePoolMembers) {
        container = Optional.of(idleContainer);
        poolMembers.clear();
        poolMembers.addAll(idlePoolMembers);
    }

    Optional<ContainerProcesses.Memory> container() {
        return container;
    }

    List<ContainerProcesses.Memory> poolMembers() {
        return List.copyOf(poolMembers);
    }

    /** The idle pool members' median RSS in MiB; NaN when none was found. */
    double poolMemberRssMib() {
        return Ratios.median(
                poolMembers.stream().map(ContainerProcesses.Memory::rssMib).toList());
    }

    /** The idle pool members' median PSS in MiB; NaN when none was found. */
    double poolMemberPssMib() {
        return Ratios.median(
                poolMembers.stream().map(ContainerProcesses.Memory::pssMib).toList());
    }

    void failed(String row, Exception e) {
        String message = String.valueOf(e.getMessage());
        int newline = message.indexOf('\n');
        failures.add(row + ": " + (newline < 0 ? message : message.substring(0, newline)));
    }

    /** One line per failed trial: the row and the first line of what went wrong. */
    List<String> failures() {
        return List.copyOf(failures);
    }

    /** Everything, for bench.json. */
    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", variant.name());
        m.put("dev_arguments", variant.devArguments());
        m.put("started", notStarted.isEmpty());
        notStarted.ifPresent(why -> m.put("not_started", why));
        m.put("dev_start_ms", finite(devStartMillis));
        m.put("first_start_ms", finite(firstStartMillis));
        Map<String, Object> cold = new LinkedHashMap<>();
        cold.put("trials_ms", coldStartMillis);
        cold.put("p50_ms", finite(coldStartPercentile(50)));
        cold.put("p99_ms", finite(coldStartPercentile(99)));
        m.put("cold_start", cold);
        warmUp.ifPresent(curve -> {
            Map<String, Object> w = new LinkedHashMap<>();
            w.put("window_ms", curve.window().toMillis());
            w.put("rates_per_window", curve.rates());
            w.put("ramp_windows", curve.rampWindows());
            w.put("warm_from_window", curve.warmFrom());
            w.put("warm_rate", finite(curve.warmRate()));
            w.put("first_window_share", finite(curve.firstWindowShare()));
            w.put("first_second_share", finite(curve.firstSecondShare()));
            w.put("ms_to_80_percent", finite(curve.millisToReach(StartupReport.WARM_SHARE)));
            w.put("first_answer_ms", finite(curve.firstAnswerMillis()));
            w.put("errors", curve.errors());
            w.put("containers", warmUpContainers);
            m.put("warm_up", w);
        });
        Map<String, Object> deploy = new LinkedHashMap<>();
        deploy.put("trials_ms", deployMillis);
        deploy.put("cli_exit_ms", deployCliMillis);
        deploy.put("median_ms", finite(Ratios.median(deployMillis)));
        deploy.put("answers_other_than_200", deployOtherAnswers);
        m.put("deploy_to_first_200", deploy);
        Map<String, Object> ls = new LinkedHashMap<>();
        ls.put("runs_ms", lsMillis);
        ls.put("median_ms", finite(Ratios.median(lsMillis)));
        m.put("ferry_ls", ls);
        Map<String, Object> memory = new LinkedHashMap<>();
        container.ifPresent(c -> memory.put("idle_container", memoryJson(c)));
        memory.put(
                "idle_pool_members",
                poolMembers.stream().map(VariantFigures::memoryJson).toList());
        m.put("memory", memory);
        m.put("failures", failures);
        return m;
    }

    private static Map<String, Object> memoryJson(ContainerProcesses.Memory memory) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pid", memory.pid());
        m.put("rss_kib", memory.rssKib() < 0 ? null : memory.rssKib());
        m.put("pss_kib", memory.pssKib() < 0 ? null : memory.pssKib());
        return m;
    }

    /** NaN as JSON null, which Jackson would otherwise write as the non-JSON token NaN. */
    private static Double finite(double value) {
        return Double.isNaN(value) ? null : value;
    }

    static double nearestRank(List<Double> values, double p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = values.stream().sorted().toList();
        int rank = (int) Math.ceil(p / 100 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }
}
