package dev.simclr.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;

/** Checkpoint entry names are ASCII whatever the JVM's locale (ar-EG's default digits are not). */
class NetworkKeyLocaleTest {
    @Test
    void checkpointEntryNamesDoNotDependOnTheLocale() {
        Locale saved = Locale.getDefault();
        try {
            for (String tag : new String[] {"ar-EG", "fa-IR", "tr-TR"}) {
                Locale.setDefault(Locale.forLanguageTag(tag));
                assertThat(Network.key(12, "conv1_weight")).as(tag).isEqualTo("p0012_conv1_weight");
            }
        } finally {
            Locale.setDefault(saved);
        }
    }
}
