package dev.ferry.perf.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LeastSquaresTest {

    @Test
    void fitsAnExactLine() {
        LeastSquares.Fit fit = LeastSquares.fit(new double[] {0, 1, 2, 3}, new double[] {10, 12, 14, 16});

        assertThat(fit.slope()).isCloseTo(2, within(1e-12));
        assertThat(fit.intercept()).isCloseTo(10, within(1e-12));
        assertThat(fit.meanY()).isCloseTo(13, within(1e-12));
        assertThat(fit.residualSd()).isCloseTo(0, within(1e-12));
        assertThat(fit.growth()).isCloseTo(6, within(1e-12));
    }

    @Test
    void fitsTheTextbookExample() {
        // Sxy = 8.2 and Sxx = 10 about the means (3, 3.4): y = 0.94 + 0.82 x; residuals -0.16,
        // 0.22, 0.6, -1.22, 0.56, whose squares sum to 2.236, over n - 2 = 3.
        LeastSquares.Fit fit = LeastSquares.fit(new double[] {1, 2, 3, 4, 5}, new double[] {1.6, 2.8, 4.0, 3.0, 5.6});

        assertThat(fit.slope()).isCloseTo(0.82, within(1e-9));
        assertThat(fit.intercept()).isCloseTo(0.94, within(1e-9));
        assertThat(fit.residualSd()).isCloseTo(Math.sqrt(2.236 / 3), within(1e-9));
    }

    @Test
    void keepsItsDigitsFarFromTheOrigin() {
        double[] x = {1e9, 1e9 + 1, 1e9 + 2};
        LeastSquares.Fit fit = LeastSquares.fit(x, new double[] {5, 6, 7});

        assertThat(fit.slope()).isCloseTo(1, within(1e-6));
    }

    @Test
    void aSteadyClimbAboveTheShareIsGrowing() {
        double[] x = new double[20];
        double[] y = new double[20];
        for (int i = 0; i < 20; i++) {
            x[i] = i;
            y[i] = 100 + i + (i % 2 == 0 ? 0.5 : -0.5); // +19 over the span, 19 % of the mean, small noise
        }

        assertThat(LeastSquares.fit(x, y).growing(0.05)).isTrue();
    }

    @Test
    void growthBelowTheShareOfTheMeanIsFlat() {
        double[] x = {0, 1, 2, 3, 4};
        double[] y = {1000, 1001, 1002, 1003, 1004}; // +4 over a mean of 1002: 0.4 %

        assertThat(LeastSquares.fit(x, y).growing(0.05)).isFalse();
    }

    @Test
    void growthWithinTheNoiseIsFlat() {
        // A sawtooth whose teeth (±50) dwarf its drift (+22 over the span); an odd count of
        // points, so that the teeth alone have no slope.
        double[] x = new double[11];
        double[] y = new double[11];
        for (int i = 0; i < 11; i++) {
            x[i] = i;
            y[i] = 100 + 2.2 * i + (i % 2 == 0 ? 50 : -50);
        }
        LeastSquares.Fit fit = LeastSquares.fit(x, y);

        assertThat(fit.growth()).isGreaterThan(0.05 * fit.meanY());
        assertThat(fit.growing(0.05)).isFalse();
    }

    @Test
    void aFallIsNeverGrowing() {
        assertThat(LeastSquares.fit(new double[] {0, 1, 2, 3}, new double[] {40, 30, 20, 10})
                        .growing(0.05))
                .isFalse();
    }

    @Test
    void refusesWhatDefinesNoLine() {
        assertThatThrownBy(() -> LeastSquares.fit(new double[] {1}, new double[] {1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("points: 1 (expected: >= 2)");
        assertThatThrownBy(() -> LeastSquares.fit(new double[] {2, 2, 2}, new double[] {1, 2, 3}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected: at least two distinct x");
        assertThatThrownBy(() -> LeastSquares.fit(new double[] {1, 2}, new double[] {1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("y.length: 1 (expected: x.length, 2)");
    }
}
