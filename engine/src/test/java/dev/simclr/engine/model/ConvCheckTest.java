package dev.simclr.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * After the check, the convolutions this JVM trains with give right input gradients for the channel counts where
 * libtorch 2.7.1's oneDNN was seen to give wrong ones — on oneDNN where it is right, on libtorch's own kernels where
 * it is not.
 */
class ConvCheckTest {

    @Test
    void convolutionInputGradientsAreRightAfterTheCheck() {
        ConvCheck.ensure();
        assertThat(ConvCheck.outcome()).isIn("oneDNN", "libtorch's own kernels");
        for (int co : new int[] {4, 8, 12, 16}) {
            for (int ci : new int[] {1, 3, 8}) {
                assertThat(ConvCheck.inputGradientError(ci, co)).as("%d→%d channels", ci, co).isLessThan(1e-3);
            }
        }
        System.out.println("convolutions run on " + ConvCheck.outcome());
    }
}
