package dev.ferry.perf.load;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;

import io.gatling.javaapi.core.OpenInjectionStep;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A ramp in steps of rising arrival rate, the shape of Knative's load test: {@code ferry.steps}
 * steps (default 5) sharing {@code ferry.duration}, step i at {@code ferry.rate * i / steps}
 * GETs of {@code ferry.url} per second, so the last step runs at {@code ferry.rate}. The platform
 * must scale up under it without dropping anything: asserts zero failed requests. One
 * {@code warm-up} GET on its own goes first, so the ramp starts from a started function.
 */
public final class RampSimulation extends Simulation {

    static final LoadSettings.Defaults DEFAULTS =
            new LoadSettings.Defaults("http://examples--hello.localhost:8080/", 100, Duration.ofSeconds(60));

    public RampSimulation() {
        LoadSettings settings = LoadSettings.http(DEFAULTS);
        List<Double> rates = settings.rampRates();
        Duration step = settings.rampStep();
        System.out.println("ferry load: ramp: GET " + settings.url() + " in " + rates.size() + " steps of "
                + Scenarios.text(step) + " at "
                + rates.stream().map(r -> Scenarios.text(r) + "/s").collect(Collectors.joining(", ")));
        List<OpenInjectionStep> injection = new ArrayList<>();
        for (double rate : rates) {
            injection.add(constantUsersPerSec(rate).during(step));
        }
        setUp(Scenarios.warmUp(settings.url())
                        .injectOpen(atOnceUsers(1))
                        .andThen(Scenarios.get("ramp", settings.url()).injectOpen(injection)))
                .protocols(Scenarios.protocol(settings, settings.url()))
                .assertions(global().failedRequests().count().is(0L))
                .maxDuration(settings.maxRunTime(false, 1));
    }
}
