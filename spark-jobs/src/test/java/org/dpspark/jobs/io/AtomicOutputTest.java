package org.dpspark.jobs.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Publishing report.json and report.html together: both or neither, on any Hadoop file system. No Spark. */
class AtomicOutputTest {
    @TempDir Path dir;

    private static Map<String, byte[]> pair(String json, String html) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(json, "{}".getBytes(StandardCharsets.UTF_8));
        files.put(html, "<html></html>".getBytes(StandardCharsets.UTF_8));
        return files;
    }

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".crc")).sorted().toList();
        }
    }

    @Test
    void writeFiles_publishesBoth() throws IOException {
        AtomicOutput.writeFiles(new Configuration(), pair(dir.resolve("report.json").toString(),
                dir.resolve("report.html").toString()), false);
        assertEquals(List.of("report.html", "report.json"), names());
        assertArrayEquals("{}".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(dir.resolve("report.json")));
    }

    @Test
    void writeFiles_secondMoveFails_removesTheFirst_andLeavesNoTemporaryFile() throws IOException {
        Configuration conf = new Configuration();
        conf.set("fs." + FailingRenameFileSystem.SCHEME + ".impl", FailingRenameFileSystem.class.getName());
        conf.setBoolean("fs." + FailingRenameFileSystem.SCHEME + ".impl.disable.cache", true);
        String base = FailingRenameFileSystem.SCHEME + "://" + dir.toAbsolutePath();
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> AtomicOutput.writeFiles(conf,
                pair(base + "/report.json", base + "/report.html"), false));
        assertTrue(e.getMessage().contains("report.html") && e.getMessage().contains("nothing of"), e.getMessage());
        assertEquals(List.of(), names(), "one report without the other, or a temporary file, was left");
    }

    @Test
    void writeFiles_anExistingDestinationWithoutOverwrite_publishesNeither() throws IOException {
        Files.writeString(dir.resolve("report.html"), "old");
        assertThrows(UncheckedIOException.class, () -> AtomicOutput.writeFiles(new Configuration(),
                pair(dir.resolve("report.json").toString(), dir.resolve("report.html").toString()), false));
        assertEquals(List.of("report.html"), names());
        assertEquals("old", Files.readString(dir.resolve("report.html")));
    }
}
