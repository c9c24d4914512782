package dev.simclr.eval.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HtmlTest {
    @Test
    void theRunsTableScrollsInsideThePageAndTextIsEscaped() {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("runId", "pretrain-0123456789abcdef");
        run.put("study", "pretrain");
        run.put("labels", Map.of("encoder", "resnet18 ×0.25"));
        run.put("metrics", Map.of("loss", 4.9, "note", "<script>"));
        run.put("cpuSeconds", 35.8);
        run.put("checkpointKey", "runs/pretrain-0123456789abcdef/checkpoints/step-0000000027.npz");
        Report.Table table = new Report.Table("Fine-tuning augmentation ablation: test top-1 %", "policy",
                List.of("top-1"), Map.of("none", Map.of("top-1", Report.Cell.of(List.of(0.70, 0.72, 0.69))),
                        "<img src=x>", Map.of("top-1", Report.Cell.of(List.of(0.5)))),
                "which augmentations matter");
        Report report = new Report("exp-1", Report.PROTOCOL, List.of(), Map.of("augmentation-ablation", table),
                List.of(run), JsonNodeFactory.instance.objectNode(), Map.of("codeVersion", "abc"), null);

        String html = Html.page(report, Map.of());

        // eleven columns are wider than the 960 px page: the table scrolls in its own box
        assertThat(html).contains("<div class=\"wide\"><table><tr><th>run</th>")
                .contains(".wide{overflow-x:auto}")
                .containsPattern("</td></tr></table></div><h2>Lineage</h2>");
        assertThat(html).contains("<td>70.3 ± 3.8</td>").contains("&lt;script&gt;").doesNotContain("<script>");
        // the tables come from the template: escaped too
        assertThat(html).contains("<td>&lt;img src=x&gt;</td>").doesNotContain("<img src=x>");
    }
}
