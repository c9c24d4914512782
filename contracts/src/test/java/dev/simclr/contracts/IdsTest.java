package dev.simclr.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class IdsTest {
    @Test
    void everyRunIdTheRunIdsMakeAndEveryGeneratedExperimentIdPass() {
        for (Stage s : Stage.values()) {
            String id = RunIds.of(RunIds.fresh("exp-1"), s, Map.of("a", 1));
            assertThat(Ids.valid(id)).as(id).isTrue();
        }
        assertThat(Ids.valid("demo-20261207-1905.a_b")).isTrue();
        assertThat(Ids.valid("a".repeat(63))).isTrue();
    }

    @Test
    void whatCouldLeaveAPrefixOrIsNotAnIdIsRefusedNamingTheFieldAndTheRule() {
        for (String bad : new String[] {"..", "a..b", "../x", "a/b", ".a", "-a", "A", "a b", "é", "", "a".repeat(64),
                "a\u0000b", "run\n"}) {
            assertThat(Ids.valid(bad)).as(bad).isFalse();
        }
        assertThat(Ids.valid(null)).isFalse();
        assertThat(Ids.problem("runId", "a..b")).contains(
                "runId: must match [a-z0-9][a-z0-9._-]{0,62}, no '..', got 'a..b'");
        assertThat(Ids.problem("experimentId", null)).contains(
                "experimentId: must match [a-z0-9][a-z0-9._-]{0,62}, no '..', got none");
        assertThat(Ids.problem("runId", "x\u0007y").orElseThrow()).endsWith("got 'x?y'");
        assertThat(Ids.problem("runId", "pretrain-0123456789abcdef")).isEmpty();
        assertThatThrownBy(() -> Ids.require("viewsFromRun", "../etc")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("viewsFromRun: must match");
    }
}
