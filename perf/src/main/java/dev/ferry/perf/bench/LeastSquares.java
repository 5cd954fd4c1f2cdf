package dev.ferry.perf.bench;

/**
 * An ordinary least-squares line through points (x, y), and the soak bench's rule for calling
 * the trend it shows "growing". Pure arithmetic; thread-safe.
 */
final class LeastSquares {

    /**
     * The fitted line {@code y = intercept + slope * x} over {@code n} points whose x run from
     * {@code minX} to {@code maxX}, with the mean of y and the residuals' standard deviation
     * (the scatter around the line, with n - 2 degrees of freedom; 0 for fewer than 3 points).
     */
    record Fit(int n, double slope, double intercept, double meanY, double residualSd, double minX, double maxX) {

        /** What the line grows by from the first x to the last. */
        double growth() {
            return slope * (maxX - minX);
        }

        /**
         * Whether the trend is growth and not noise: the line grows over the fitted span by more
         * than {@code shareOfMean} of the mean of y and by more than twice the residuals'
         * standard deviation. A sawtooth (containers replaced, a heap filled and collected) has a
         * large scatter and so must grow by more than its teeth to count; a smooth climb of a few
         * percent of a large value is growth only above {@code shareOfMean}. A fall is never growth.
         */
        boolean growing(double shareOfMean) {
            double g = growth();
            return n >= 3 && g > shareOfMean * Math.abs(meanY) && g > 2 * residualSd;
        }
    }

    private LeastSquares() {}

    /**
     * The least-squares line through ({@code x[i]}, {@code y[i]}).
     *
     * @throws IllegalArgumentException when the arrays differ in length or hold fewer than 2
     *     points, or every x is the same (no line is defined)
     */
    static Fit fit(double[] x, double[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException("y.length: " + y.length + " (expected: x.length, " + x.length + ")");
        }
        int n = x.length;
        if (n < 2) {
            throw new IllegalArgumentException("points: " + n + " (expected: >= 2)");
        }
        double meanX = 0;
        double meanY = 0;
        double minX = Double.POSITIVE_INFINITY;
        double maxX = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            meanX += x[i];
            meanY += y[i];
            minX = Math.min(minX, x[i]);
            maxX = Math.max(maxX, x[i]);
        }
        meanX /= n;
        meanY /= n;
        // Centred sums: the textbook sum-of-products form loses every digit when x is a large
        // offset (seconds since boot) and the spread small.
        double sxx = 0;
        double sxy = 0;
        for (int i = 0; i < n; i++) {
            sxx += (x[i] - meanX) * (x[i] - meanX);
            sxy += (x[i] - meanX) * (y[i] - meanY);
        }
        if (sxx == 0) {
            throw new IllegalArgumentException("x: every point at " + x[0] + " (expected: at least two distinct x)");
        }
        double slope = sxy / sxx;
        double intercept = meanY - slope * meanX;
        double squares = 0;
        for (int i = 0; i < n; i++) {
            double r = y[i] - (intercept + slope * x[i]);
            squares += r * r;
        }
        double residualSd = n > 2 ? Math.sqrt(squares / (n - 2)) : 0;
        return new Fit(n, slope, intercept, meanY, residualSd, minX, maxX);
    }
}
