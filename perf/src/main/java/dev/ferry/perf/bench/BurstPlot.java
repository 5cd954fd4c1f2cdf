package dev.ferry.perf.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToIntFunction;

/**
 * The burst bench's plot, {@code containers.svg}, written by hand (no charting library): x is
 * seconds since the burst's first request, the left axis containers (ready; starting, which
 * counts pending and starting; unplaced; stopping), the right axis requests in flight; dashed
 * vertical lines mark the events of the run. Each series is a step line through the samples.
 */
final class BurstPlot {

    /** A vertical marker at {@code seconds}. */
    record Marker(double seconds, String label) {}

    private static final int WIDTH = 960;
    private static final int HEIGHT = 480;
    private static final int LEFT = 60;
    private static final int RIGHT = 70;
    private static final int TOP = 60;
    private static final int BOTTOM = 50;

    private BurstPlot() {}

    /**
     * The SVG document.
     *
     * @param seconds each sample's time, seconds since the first request (may be negative: before it)
     */
    static String svg(String title, List<ContainerSampler.Sample> samples, double[] seconds, List<Marker> markers) {
        double x0 = 0;
        double x1 = 1;
        for (double s : seconds) {
            x0 = Math.min(x0, s);
            x1 = Math.max(x1, s);
        }
        for (Marker m : markers) {
            x1 = Math.max(x1, m.seconds());
        }
        int maxContainers = 1;
        int maxInFlight = 1;
        for (ContainerSampler.Sample s : samples) {
            maxContainers = Math.max(
                    maxContainers,
                    Math.max(Math.max(s.ready(), s.unplaced()), Math.max(s.pending() + s.starting(), s.stopping())));
            maxInFlight = Math.max(maxInFlight, s.inFlight());
        }
        double yMax = niceCeiling(maxContainers);
        double rMax = niceCeiling(maxInFlight);
        Scale x = new Scale(x0, x1, LEFT, WIDTH - RIGHT);
        Scale y = new Scale(0, yMax, HEIGHT - BOTTOM, TOP);
        Scale r = new Scale(0, rMax, HEIGHT - BOTTOM, TOP);

        StringBuilder svg = new StringBuilder();
        svg.append(String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                        + " font-family=\"sans-serif\" font-size=\"12\">%n",
                WIDTH,
                HEIGHT,
                WIDTH,
                HEIGHT));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"22\" font-size=\"15\" font-weight=\"bold\">%s</text>%n",
                LEFT,
                escape(title)));

        // Grid and axes.
        double xStep = niceStep(x1 - x0, 10);
        for (double t = Math.ceil(x0 / xStep) * xStep; t <= x1 + 1e-9; t += xStep) {
            svg.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>%n",
                    x.map(t),
                    TOP,
                    x.map(t),
                    HEIGHT - BOTTOM));
            svg.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    x.map(t),
                    HEIGHT - BOTTOM + 16,
                    number(t)));
        }
        double yStep = niceStep(yMax, 8);
        for (double v = 0; v <= yMax + 1e-9; v += yStep) {
            svg.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>%n",
                    LEFT,
                    y.map(v),
                    WIDTH - RIGHT,
                    y.map(v)));
            svg.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                    LEFT - 6,
                    y.map(v) + 4,
                    number(v)));
        }
        double rStep = niceStep(rMax, 8);
        for (double v = 0; v <= rMax + 1e-9; v += rStep) {
            svg.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%d\" y=\"%.1f\" fill=\"#1f77b4\">%s</text>%n",
                    WIDTH - RIGHT + 6,
                    r.map(v) + 4,
                    number(v)));
        }
        svg.append(String.format(
                Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>%n",
                LEFT,
                TOP,
                WIDTH - LEFT - RIGHT,
                HEIGHT - TOP - BOTTOM));
        svg.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">seconds since the burst's first request</text>%n",
                (LEFT + WIDTH - RIGHT) / 2,
                HEIGHT - 12));
        svg.append(String.format(
                Locale.ROOT,
                "<text transform=\"translate(16 %d) rotate(-90)\" text-anchor=\"middle\">containers</text>%n",
                (TOP + HEIGHT - BOTTOM) / 2));
        svg.append(String.format(
                Locale.ROOT,
                "<text transform=\"translate(%d %d) rotate(90)\" text-anchor=\"middle\" fill=\"#1f77b4\">"
                        + "requests in flight</text>%n",
                WIDTH - 14,
                (TOP + HEIGHT - BOTTOM) / 2));

        for (Marker m : markers) {
            double mx = x.map(m.seconds());
            svg.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#999\" stroke-dasharray=\"4 3\"/>%n",
                    mx,
                    TOP,
                    mx,
                    HEIGHT - BOTTOM));
            svg.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" fill=\"#555\" transform=\"rotate(-90 %.1f %d)\""
                            + " text-anchor=\"end\">%s</text>%n",
                    mx - 3,
                    TOP + 4,
                    mx - 3,
                    TOP + 4,
                    escape(m.label())));
        }

        series(svg, samples, seconds, x, r, ContainerSampler.Sample::inFlight, "#1f77b4", "1.2", "2 2");
        series(svg, samples, seconds, x, y, ContainerSampler.Sample::stopping, "#7f7f7f", "2", null);
        series(svg, samples, seconds, x, y, ContainerSampler.Sample::unplaced, "#9467bd", "2", null);
        series(svg, samples, seconds, x, y, s -> s.pending() + s.starting(), "#ff7f0e", "2", null);
        series(svg, samples, seconds, x, y, ContainerSampler.Sample::ready, "#2ca02c", "2.5", null);

        // Legend: one row between the title and the plot, clear of the markers' labels.
        String[][] legend = {
            {"#2ca02c", "ready"},
            {"#ff7f0e", "starting (pending, starting)"},
            {"#9467bd", "unplaced (no worker has room)"},
            {"#7f7f7f", "stopping"},
            {"#1f77b4", "requests in flight (right axis)"}
        };
        int lx = LEFT;
        int ly = 44;
        for (String[] entry : legend) {
            svg.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2.5\"/>%n",
                    lx,
                    ly - 4,
                    lx + 18,
                    ly - 4,
                    entry[0]));
            svg.append(
                    String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", lx + 24, ly, escape(entry[1])));
            lx += 40 + 13 * entry[1].length() / 2;
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static void series(
            StringBuilder svg,
            List<ContainerSampler.Sample> samples,
            double[] seconds,
            Scale x,
            Scale y,
            ToIntFunction<ContainerSampler.Sample> value,
            String color,
            String width,
            String dash) {
        if (samples.isEmpty()) {
            return;
        }
        List<String> points = new ArrayList<>();
        double previous = Double.NaN;
        for (int i = 0; i < samples.size(); i++) {
            double px = x.map(seconds[i]);
            double py = y.map(value.applyAsInt(samples.get(i)));
            if (!Double.isNaN(previous)) {
                points.add(String.format(Locale.ROOT, "%.1f,%.1f", px, previous));
            }
            points.add(String.format(Locale.ROOT, "%.1f,%.1f", px, py));
            previous = py;
        }
        svg.append("<polyline fill=\"none\" stroke=\"")
                .append(color)
                .append("\" stroke-width=\"")
                .append(width)
                .append('"');
        if (dash != null) {
            svg.append(" stroke-dasharray=\"").append(dash).append('"');
        }
        svg.append(" points=\"").append(String.join(" ", points)).append("\"/>\n");
    }

    /** The smallest of 1, 2, 5 × 10^k that is at least {@code value} (at least 1). */
    static double niceCeiling(double value) {
        double v = Math.max(1, value);
        double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
        for (double f : new double[] {1, 2, 5, 10}) {
            if (f * magnitude >= v) {
                return f * magnitude;
            }
        }
        return 10 * magnitude;
    }

    /** A step of 1, 2 or 5 × 10^k giving at most about {@code ticks} ticks over {@code span}. */
    static double niceStep(double span, int ticks) {
        double raw = Math.max(span, 1e-9) / ticks;
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double f : new double[] {1, 2, 5, 10}) {
            if (f * magnitude >= raw) {
                return Math.max(f * magnitude, 1e-9);
            }
        }
        return 10 * magnitude;
    }

    private static String number(double v) {
        return Math.abs(v - Math.rint(v)) < 1e-9 ? Long.toString(Math.round(v)) : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }

    /** A linear map from data to pixels. */
    private record Scale(double from, double to, double pixelFrom, double pixelTo) {
        double map(double v) {
            return pixelFrom + (v - from) / (to - from) * (pixelTo - pixelFrom);
        }
    }
}
