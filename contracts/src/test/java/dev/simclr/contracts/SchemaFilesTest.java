package dev.simclr.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The checked-in schema files are exactly what the records generate: non-Java clients never read a stale one. */
class SchemaFilesTest {
    @Test
    void checkedInSchemasMatchTheRecords() throws Exception {
        Path dir = Path.of("src/main/resources/schemas");
        for (var entry : EventSchemaGenerator.generateAll().entrySet()) {
            Path file = dir.resolve(entry.getKey().wireName() + ".schema.json");
            assertThat(file).as("regenerate with EventSchemaGenerator: " + file).exists();
            assertThat(Files.readString(file)).as("stale " + file + ": regenerate with EventSchemaGenerator")
                    .isEqualTo(entry.getValue());
        }
        try (var files = Files.list(dir)) {
            assertThat(files.count()).isEqualTo(EventType.values().length);
        }
    }
}
