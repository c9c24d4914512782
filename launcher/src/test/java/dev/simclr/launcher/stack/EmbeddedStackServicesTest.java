package dev.simclr.launcher.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.simclr.infra.RepoLayout;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which processes the embedded stack runs, on which ports: trainer instances after the four services. */
class EmbeddedStackServicesTest {
    private static EmbeddedStack stack(Map<String, String> env) {
        return new EmbeddedStack(new RepoLayout(Path.of(".")), env);
    }

    @Test
    void twoTrainerInstancesByDefaultTheSecondAfterTheFourServices() {
        assertThat(stack(Map.of("SIMCLR_HTTP_PORT_BASE", "9100")).services()).containsExactly(
                new EmbeddedStack.Service("eval-service", "eval-service", 9100),
                new EmbeddedStack.Service("augment-service", "augment-service", 9101),
                new EmbeddedStack.Service("trainer-service", "trainer-service", 9102),
                new EmbeddedStack.Service("distill-service", "distill-service", 9103),
                new EmbeddedStack.Service("trainer-service-2", "trainer-service", 9104));
    }

    @Test
    void theInstanceCountIsASettingFromOneToEight() {
        assertThat(stack(Map.of("SIMCLR_TRAINER_INSTANCES", "1")).services()).extracting(EmbeddedStack.Service::name)
                .containsExactly("eval-service", "augment-service", "trainer-service", "distill-service");
        assertThat(stack(Map.of("SIMCLR_TRAINER_INSTANCES", "3")).services()).extracting(EmbeddedStack.Service::port)
                .containsExactly(8080, 8081, 8082, 8083, 8084, 8085);
        for (String bad : new String[] {"0", "9", "two", ""}) {
            assertThatThrownBy(() -> stack(Map.of("SIMCLR_TRAINER_INSTANCES", bad)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("SIMCLR_TRAINER_INSTANCES: expected a whole number from 1 to 8, got '" + bad + "'");
        }
    }
}
