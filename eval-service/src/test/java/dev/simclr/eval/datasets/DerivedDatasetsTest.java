package dev.simclr.eval.datasets;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Transfer class subsets are drawn per seed: k of the classes, the same for a seed on every machine, sorted. */
class DerivedDatasetsTest {
    @Test
    void eachSeedDrawsItsOwnClassesAndTheDrawIsReproducible() {
        Set<List<Integer>> seen = new HashSet<>();
        for (long seed = 1; seed <= 10; seed++) {
            List<Integer> c = DerivedDatasets.classes(seed, 10, 2);
            assertThat(c).hasSize(2).isSorted().allSatisfy(x -> assertThat(x).isBetween(0, 9));
            assertThat(DerivedDatasets.classes(seed, 10, 2)).isEqualTo(c);
            seen.add(c);
        }
        // ten seeds, 45 possible pairs: not all the first two classes, nor all the same
        assertThat(seen).hasSizeGreaterThan(5).isNotEqualTo(Set.of(List.of(0, 1)));
        assertThat(DerivedDatasets.classes(3, 10, 10)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        // pinned (SplittableRandom is specified to the bit): a change of the draw changes every transfer result
        assertThat(seen).contains(List.of(0, 1), List.of(7, 8), List.of(0, 2));
    }
}
