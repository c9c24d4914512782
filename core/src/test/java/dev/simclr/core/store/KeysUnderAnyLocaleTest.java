package dev.simclr.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.simclr.core.augment.ViewShards;
import dev.simclr.core.dataset.DatasetStore;
import dev.simclr.core.run.RunStore;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Object keys do not depend on the JVM's locale: under Arabic (Egypt) and Persian, whose default digits are not
 * ASCII, and Turkish, whose lower case of 'I' is a dotless 'ı', every key builder gives the same ASCII key.
 */
class KeysUnderAnyLocaleTest {
    private Locale saved;

    @BeforeEach
    void save() {
        saved = Locale.getDefault();
    }

    @AfterEach
    void restore() {
        Locale.setDefault(saved);
    }

    static List<String> keys() {
        return List.of(ViewShards.epochPrefix("augment-1", 7), ViewShards.shardKey("augment-1", 7, 42),
                ViewShards.sliceDoneKey("augment-1", 3), RunStore.checkpointKey("pretrain-1", 1234),
                DatasetStore.shardKey("digits", "v1", "train", 12));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ar-EG", "fa-IR", "tr-TR", "hi-IN-u-nu-deva", "th-TH-u-nu-thai"})
    void keysAreAsciiAndTheSameUnderEveryDefaultLocale(String tag) {
        Locale.setDefault(Locale.ROOT);
        List<String> reference = keys();
        Locale.setDefault(Locale.forLanguageTag(tag));
        // the locale really has other digits (or casing): otherwise the test would prove nothing
        if (!tag.equals("tr-TR")) {
            assertThat(String.format("%d", 7)).as("digits under %s", tag).isNotEqualTo("7");
        } else {
            assertThat("I".toLowerCase()).isNotEqualTo("i");
        }
        assertThat(keys()).isEqualTo(reference).allSatisfy(k -> assertThat(k).matches("\\p{ASCII}+"));
        assertThat(reference).containsExactly("views/augment-1/epoch-0007/",
                "views/augment-1/epoch-0007/shard-00042.npz", "views/augment-1/slices/slice-003.done",
                "runs/pretrain-1/checkpoints/step-0000001234.npz", "datasets/digits/v1/train/shard-00012.npz");
    }
}
