package dev.simclr.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.simclr.engine.precision.Autocast;
import org.junit.jupiter.api.Test;

/**
 * After the check, the convolutions this JVM trains with give right input gradients: whole blocks of 16 output channels
 * (what encoders of width ≥ 0.25 have) in fp32 and bf16 right away, and after a network with narrow convolutions is
 * admitted, the narrow channel counts where libtorch 2.7.1's oneDNN was seen to give wrong ones — on oneDNN where it
 * is right, on libtorch's own kernels where it is not.
 */
class ConvCheckTest {

    @Test
    void convolutionInputGradientsAreRightAfterTheCheck() {
        ConvCheck.ensure();
        assertThat(ConvCheck.outcome()).isIn(ConvCheck.ONEDNN, ConvCheck.WHOLE_BLOCKS, ConvCheck.OWN_KERNELS);
        System.out.println("convolutions of whole blocks run on " + ConvCheck.outcome());
        for (int co : new int[] {16, 32}) {
            for (int ci : new int[] {1, 3, 16}) {
                assertThat(ConvCheck.inputGradientError(ci, co, 3, 1, false)).as("%d→%d", ci, co).isLessThan(1e-3);
                assertThat(ConvCheck.inputGradientError(ci, co, 1, 2, false)).as("%d→%d 1×1/2", ci, co)
                        .isLessThan(1e-3);
            }
            if (Autocast.available()) {
                assertThat(ConvCheck.inputGradientError(16, co, 3, 1, true)).as("bf16 16→%d", co)
                        .isLessThan(ConvCheck.BF16_TOLERANCE);
            }
        }

        ConvCheck.admit(new long[] {4, 16});
        assertThat(ConvCheck.outcome()).isIn(ConvCheck.ONEDNN, ConvCheck.OWN_KERNELS);
        for (int co : new int[] {4, 8, 12, 16}) {
            for (int ci : new int[] {1, 3, 8}) {
                assertThat(ConvCheck.inputGradientError(ci, co)).as("%d→%d channels", ci, co).isLessThan(1e-3);
            }
        }
        System.out.println("after a narrow network, convolutions run on " + ConvCheck.outcome());
    }
}
