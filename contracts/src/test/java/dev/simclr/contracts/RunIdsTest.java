package dev.simclr.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunIdsTest {
    @Test
    void sameParametersInAnyKeyOrderGiveTheSameId() {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("policy", "crop");
        a.put("epochs", 3);
        a.put("encoder", Map.of("family", "resnet", "depth", 18));
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("encoder", new LinkedHashMap<>(Map.of("depth", 18, "family", "resnet")));
        b.put("epochs", 3);
        b.put("policy", "crop");
        assertThat(RunIds.of("exp-1", Stage.FINETUNE, a)).isEqualTo(RunIds.of("exp-1", Stage.FINETUNE, b))
                .matches("finetune-[0-9a-f]{16}");
    }

    @Test
    void scopeStageAndEveryParameterChangeTheId() {
        Map<String, Object> p = Map.of("policy", "crop", "epochs", 3);
        String id = RunIds.of("exp-1", Stage.FINETUNE, p);
        assertThat(RunIds.of("exp-2", Stage.FINETUNE, p)).isNotEqualTo(id);
        assertThat(RunIds.of(RunIds.shared(), Stage.FINETUNE, p)).isNotEqualTo(id)
                .isNotEqualTo(RunIds.of(RunIds.fresh("exp-1"), Stage.FINETUNE, p));
        assertThat(RunIds.fresh("exp-1")).isNotEqualTo(RunIds.fresh("exp-2")).startsWith(RunIds.shared());
        assertThat(RunIds.of("exp-1", Stage.PRETRAIN, p)).isNotEqualTo(id);
        assertThat(RunIds.of("exp-1", Stage.FINETUNE, Map.of("policy", "crop", "epochs", 4))).isNotEqualTo(id);
    }

    @Test
    void isStableAcrossBuilds() {
        // pinned (python: sha256(b'exp-1\0pretrain\0{"epochs":1}')[:8]): a change would orphan stored checkpoints
        assertThat(RunIds.of("exp-1", Stage.PRETRAIN, Map.of("epochs", 1))).isEqualTo("pretrain-2a81ea0afbfb4be4");
        // sha256(b'numerics=1\0pretrain\0{"epochs":1}')[:8]: the shared scope at NUMERICS 1
        assertThat(RunIds.of(RunIds.shared(), Stage.PRETRAIN, Map.of("epochs", 1)))
                .isEqualTo("pretrain-1c50213b69996513");
    }
}
