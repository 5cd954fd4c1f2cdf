package dev.ferry.perf.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * A self-contained HTML page (inline SVG, no scripts, no downloads): the summary tables, the
 * goals, saturation throughput as bars, CPU per request as bars (for each measure where it
 * was measured), for every latency measure HdrHistogram percentile
 * curves per target on log scales (x: 1/(1-percentile), so 90, 99, 99.9 % are evenly spaced;
 * y: latency), and the start-up rows' warm-up curves, one per {@code ferry dev} variant.
 */
final class HtmlReport {

    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};
    private static final int W = 640, H = 320, LEFT = 70, RIGHT = 130, TOP = 30, BOTTOM = 40;

    private HtmlReport() {}

    static String page(
            BenchReport report, String title, Map<String, Object> machine, String markdown, List<String> goals) {
        StringBuilder html = new StringBuilder();
        html.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>")
                .append(escape(title))
                .append("</title>")
                .append(
                        "<style>body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse}"
                                + "td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child{text-align:left}"
                                + "svg{margin:1em 0;border:1px solid #eee}pre{background:#f6f6f6;padding:1em}</style></head><body>");
        html.append("<h1>").append(escape(title)).append("</h1>");
        html.append("<p>").append(escape(machine.toString())).append("</p>");
        html.append(table(markdown));
        html.append("<h2>Goals</h2><pre>")
                .append(escape(String.join("\n", goals)))
                .append("</pre>");
        if (!report.measures().isEmpty()) {
            html.append("<h2>Saturation throughput</h2>");
            for (String measure : report.measures()) {
                if (measure.startsWith("saturation|")) {
                    html.append(bars(
                            report,
                            measure,
                            Measurement::throughput,
                            0,
                            measure.replace('|', ' ').trim() + " — requests/s (median of rounds)"));
                }
            }
            List<String> cpu =
                    report.measures().stream().filter(report::cpuMeasured).toList();
            if (!cpu.isEmpty()) {
                html.append("<h2>CPU per request</h2>");
                for (String measure : cpu) {
                    html.append(bars(
                            report,
                            measure,
                            Measurement::cpuMicrosPerRequest,
                            1,
                            measure.replace('|', ' ').trim()
                                    + " — CPU µs per request, the target's processes (median of rounds)"));
                }
            }
            html.append("<h2>Latency percentile distributions</h2>");
            for (String measure : report.measures()) {
                if (!measure.startsWith("saturation|")) {
                    html.append(curves(report, measure));
                }
            }
        }
        report.startup().ifPresent(startup -> {
            List<VariantFigures> curves = startup.variants().stream()
                    .filter(v -> v.warmUp().isPresent())
                    .toList();
            if (!curves.isEmpty()) {
                html.append("<h2>Warm-up of a new container</h2>").append(warmUp(curves));
            }
        });
        return html.append("</body></html>\n").toString();
    }

    /** The markdown tables as HTML tables; a line that is not a table row becomes a paragraph between them. */
    private static String table(String markdown) {
        StringBuilder out = new StringBuilder("<table>");
        boolean header = true;
        for (String line : markdown.split("\n")) {
            if (!line.startsWith("|") || line.startsWith("|---")) {
                if (!line.startsWith("|---")) {
                    header = true; // the next row starts a new table
                    out.append("</table>");
                    if (!line.isBlank()) {
                        out.append("<p>").append(escape(line)).append("</p>");
                    }
                    out.append("<table>");
                }
                continue;
            }
            String[] cells = line.substring(1, line.length() - 1).split("\\|");
            String tag = header ? "th" : "td";
            header = false;
            out.append("<tr>");
            for (String cell : cells) {
                out.append('<')
                        .append(tag)
                        .append('>')
                        .append(escape(cell.trim()))
                        .append("</")
                        .append(tag)
                        .append('>');
            }
            out.append("</tr>");
        }
        return out.append("</table>").toString();
    }

    private static String bars(
            BenchReport report, String measure, ToDoubleFunction<Measurement> field, int decimals, String title) {
        List<String> targets = report.targets();
        double max = 1;
        for (String t : targets) {
            double v = report.median(measure, t, field);
            if (!Double.isNaN(v)) {
                max = Math.max(max, v);
            }
        }
        StringBuilder svg = svgStart(title);
        double slot = (W - LEFT - RIGHT) / (double) targets.size();
        for (int i = 0; i < targets.size(); i++) {
            double v = report.median(measure, targets.get(i), field);
            double h = Double.isNaN(v) ? 0 : (H - TOP - BOTTOM) * v / max;
            double x = LEFT + i * slot + slot * 0.15;
            svg.append(String.format(
                    Locale.ROOT,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>",
                    x,
                    H - BOTTOM - h,
                    slot * 0.7,
                    h,
                    COLOURS[i % COLOURS.length]));
            svg.append(text(x + slot * 0.35, H - BOTTOM + 15, targets.get(i), "middle"));
            svg.append(text(x + slot * 0.35, H - BOTTOM - h - 4, BenchReport.format(v, decimals), "middle"));
        }
        return svg.append("</svg>").toString();
    }

    private static String curves(BenchReport report, String measure) {
        Map<String, List<double[]>> curves = report.percentileCurves(measure);
        double maxY = 1;
        for (List<double[]> points : curves.values()) {
            for (double[] p : points) {
                maxY = Math.max(maxY, p[1]);
            }
        }
        double top = Math.ceil(Math.log10(maxY));
        StringBuilder svg = svgStart(measure.replace('|', ' ').trim() + " — latency (µs) by percentile");
        for (int decade = 0; decade <= 5; decade++) {
            double x = LEFT + (W - LEFT - RIGHT) * decade / 5.0;
            svg.append(line(x, TOP, x, H - BOTTOM, "#eee"));
            svg.append(text(
                    x,
                    H - BOTTOM + 15,
                    new String[] {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%"}[decade],
                    "middle"));
        }
        for (int decade = 0; decade <= top; decade++) {
            double y = H - BOTTOM - (H - TOP - BOTTOM) * decade / Math.max(1, top);
            svg.append(line(LEFT, y, W - RIGHT, y, "#eee"));
            svg.append(text(LEFT - 6, y + 4, BenchReport.format(Math.pow(10, decade), 0), "end"));
        }
        int i = 0;
        for (Map.Entry<String, List<double[]>> curve : curves.entrySet()) {
            String colour = COLOURS[i % COLOURS.length];
            StringBuilder path = new StringBuilder();
            for (double[] p : curve.getValue()) {
                double px = Math.min(5, Math.log10(1 / Math.max(1e-5, 1 - p[0] / 100)));
                double x = LEFT + (W - LEFT - RIGHT) * px / 5;
                double y = H - BOTTOM - (H - TOP - BOTTOM) * Math.log10(Math.max(1, p[1])) / Math.max(1, top);
                path.append(path.isEmpty() ? "M" : "L").append(String.format(Locale.ROOT, "%.1f %.1f ", x, y));
            }
            svg.append("<path d=\"")
                    .append(path)
                    .append("\" fill=\"none\" stroke=\"")
                    .append(colour)
                    .append("\" stroke-width=\"2\"/>");
            svg.append(line(W - RIGHT + 10, TOP + 15 * i, W - RIGHT + 30, TOP + 15 * i, colour));
            svg.append(text(W - RIGHT + 35, TOP + 15 * i + 4, curve.getKey(), "start"));
            i++;
        }
        return svg.append("</svg>").toString();
    }

    /**
     * Answers per second in each window of the warm-up row, a line per variant (x: seconds from
     * the first request; y: linear, from 0), with each variant's warm level dashed.
     */
    private static String warmUp(List<VariantFigures> variants) {
        double maxX = 1, maxY = 1;
        for (VariantFigures v : variants) {
            WarmUpCurve c = v.warmUp().orElseThrow();
            maxX = Math.max(maxX, c.rates().size() * c.window().toNanos() / 1e9);
            for (double rate : c.rates()) {
                maxY = Math.max(maxY, rate);
            }
        }
        StringBuilder svg = svgStart("warm-up: answers/s per window, from the new container's first request (s)");
        for (int tick = 0; tick <= 4; tick++) {
            double y = H - BOTTOM - (H - TOP - BOTTOM) * tick / 4.0;
            svg.append(line(LEFT, y, W - RIGHT, y, "#eee"));
            svg.append(text(LEFT - 6, y + 4, BenchReport.format(maxY * tick / 4, 0), "end"));
        }
        for (int second = 0; second <= maxX; second++) {
            double x = LEFT + (W - LEFT - RIGHT) * second / maxX;
            svg.append(text(x, H - BOTTOM + 15, Integer.toString(second), "middle"));
        }
        int i = 0;
        for (VariantFigures v : variants) {
            WarmUpCurve c = v.warmUp().orElseThrow();
            String colour = COLOURS[i % COLOURS.length];
            double width = c.window().toNanos() / 1e9;
            StringBuilder path = new StringBuilder();
            for (int w = 0; w < c.rates().size(); w++) {
                double x = LEFT + (W - LEFT - RIGHT) * ((w + 0.5) * width) / maxX;
                double y = H - BOTTOM - (H - TOP - BOTTOM) * c.rates().get(w) / maxY;
                path.append(path.isEmpty() ? "M" : "L").append(String.format(Locale.ROOT, "%.1f %.1f ", x, y));
            }
            svg.append("<path d=\"")
                    .append(path)
                    .append("\" fill=\"none\" stroke=\"")
                    .append(colour)
                    .append("\" stroke-width=\"2\"/>");
            double warm = H - BOTTOM - (H - TOP - BOTTOM) * c.warmRate() / maxY;
            svg.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\" stroke-dasharray=\"4 3\"/>",
                    LEFT,
                    warm,
                    W - RIGHT,
                    warm,
                    colour));
            svg.append(line(W - RIGHT + 10, TOP + 15 * i, W - RIGHT + 30, TOP + 15 * i, colour));
            svg.append(text(W - RIGHT + 35, TOP + 15 * i + 4, v.variant().name(), "start"));
            i++;
        }
        return svg.append("</svg>").toString();
    }

    private static StringBuilder svgStart(String title) {
        return new StringBuilder(String.format(
                        Locale.ROOT,
                        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-size=\"11\">",
                        W,
                        H))
                .append(text(W / 2.0, 18, title, "middle"))
                .append(line(LEFT, H - BOTTOM, W - RIGHT, H - BOTTOM, "#333"))
                .append(line(LEFT, TOP, LEFT, H - BOTTOM, "#333"));
    }

    private static String line(double x1, double y1, double x2, double y2, String colour) {
        return String.format(
                Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>",
                x1,
                y1,
                x2,
                y2,
                colour);
    }

    private static String text(double x, double y, String s, String anchor) {
        return String.format(
                Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>", x, y, anchor, escape(s));
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
