package dev.ferry.perf.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StartupReportTest {

    private static WarmUpCurve curve(double... ramp) {
        List<Double> rates = new ArrayList<>();
        for (double r : ramp) {
            rates.add(r);
        }
        rates.addAll(Collections.nCopies(12 - ramp.length, 1000.0));
        rates.addAll(Collections.nCopies(4, 1000.0));
        return new WarmUpCurve(Duration.ofMillis(250), rates, 8, 12, 600, 0);
    }

    private static StartupReport sample() {
        StartupReport report = new StartupReport("java -jar cli/target/ferry.jar", Map.of());
        VariantFigures off = report.add(FerryVariant.parse("pool-off=--warm-pool 0"));
        off.devStarted(3000);
        off.firstStart(1200);
        List.of(600.0, 700.0, 650.0).forEach(off::coldStart);
        off.warmUp(curve(0, 0, 0, 100, 400, 600, 800, 1000), 1);
        off.deployed(1500, 900, 0);
        off.listed(1100);
        off.memory(new ContainerProcesses.Memory(10, 90 * 1024, 70 * 1024), List.of());
        VariantFigures pool = report.add(FerryVariant.parse("default="));
        pool.devStarted(3500);
        pool.firstStart(900);
        List.of(40.0, 45.0, 160.0).forEach(pool::coldStart);
        pool.warmUp(curve(600, 900, 1000, 1000), 1);
        pool.deployed(700, 650, 2);
        pool.deployed(740, 660, 0);
        pool.deployed(800, 700, 0);
        pool.listed(190);
        pool.memory(
                new ContainerProcesses.Memory(11, 60 * 1024, 50 * 1024),
                List.of(new ContainerProcesses.Memory(12, 40 * 1024, 20 * 1024)));
        return report;
    }

    @Test
    void theTableHasAColumnPerVariantAndTheGoals() {
        String markdown = sample().markdown();

        assertThat(markdown)
                .startsWith("| start-up (issue 14) | pool-off | default | goal |\n|---|---:|---:|---|\n")
                .contains("| `ferry dev` arguments added | --warm-pool 0 | (none) | |")
                .contains("| first start after `ferry dev` (ms) | 1,200 | 900 |  |")
                .contains("| cold start p50 (ms) | 650 | 45 | <= 50 |")
                .contains("| cold start p99 (ms) | 700 | 160 | <= 150 |")
                .contains("| warm-up: first 250 ms, share of warm | 0.00 | 0.60 |  |")
                .contains("| warm-up: first second, share of warm | 0.03 | 0.88 |  |")
                .contains("| warm-up: time to 80 % of warm (ms) | 1,750 | 500 | <= 1,000 |")
                .contains("| deploy to first 200 from the new version, median (ms) | 1,500 | 740 | <= 750 |")
                .contains("| `ferry ls`, median (ms) | 1,100 | 190 | <= 200 |")
                .contains("| idle `hello` container RSS (MiB) | 90.0 | 60.0 | <= 64 |")
                .contains("| idle pool member RSS (MiB) | n/a | 40.0 | <= 64 |")
                .contains("CLI rows: java -jar cli/target/ferry.jar")
                .contains("default: answers other than 200 while deploying: 2");
    }

    @Test
    void theGoalsAreJudgedOnTheLastVariantWithTheOthersBeside() {
        assertThat(sample().goals())
                .containsExactly(
                        "met:    cold start p50 <= 50 ms: 45 ms (default; pool-off: 650 ms)",
                        "missed: cold start p99 <= 150 ms: 160 ms (default; pool-off: 700 ms)",
                        "met:    warm-up: time to 80 % of warm throughput <= 1,000 ms: 500 ms (default; pool-off: 1,750 ms)",
                        "met:    deploy to first 200 <= 750 ms: 740 ms (default; pool-off: 1,500 ms)",
                        "met:    ferry ls <= 200 ms: 190 ms (default; pool-off: 1,100 ms)",
                        "met:    idle container RSS <= 64 MiB: 60.0 MiB (default; pool-off: 90.0 MiB)",
                        "met:    idle pool member RSS <= 64 MiB: 40.0 MiB (default; pool-off: n/a)");
    }

    @Test
    void aVariantThatDidNotStartIsSaidSoAndAMissingPoolIsAMiss() {
        StartupReport report = new StartupReport("./ferry (the launcher script)", Map.of());
        report.add(FerryVariant.parse("pool-off=--warm-pool 0"))
                .notStarted("`ferry dev --warm-pool 0` did not start: Unknown option: '--warm-pool'");
        VariantFigures plain = report.add(FerryVariant.parse("default="));
        plain.coldStart(600);
        plain.memory(new ContainerProcesses.Memory(11, 90 * 1024, 70 * 1024), List.of());

        assertThat(report.markdown())
                .contains("| cold start p50 (ms) | – | 600 | <= 50 |")
                .contains("| idle pool member RSS (MiB) | – | n/a | <= 64 |")
                .contains("pool-off: `ferry dev --warm-pool 0` did not start: Unknown option: '--warm-pool'");
        assertThat(report.goals())
                .contains(
                        "missed: cold start p50 <= 50 ms: 600 ms (default; pool-off: did not start)",
                        "missed: idle pool member RSS <= 64 MiB: n/a (default has no idle pool member:"
                                + " no container JVM with --pool that is not serving)");
    }
}
