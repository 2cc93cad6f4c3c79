package org.dpspark.jobs.report.html;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A page rendered by a real browser: headless Chromium (Debian's {@code chromium}; {@code DPSPARK_CHROMIUM} names
 * another binary). The page is opened inside an iframe of a small harness page whose script, after the page has
 * loaded and laid out, measures what the browser drew and writes it into its own DOM, which Chromium then dumps:
 * <ul>
 *   <li>every {@code figure.chart}: its inline SVG's rendered size, the bounding box of what was drawn in it, the
 *       number of shapes and the texts (the legend's series names among them);</li>
 *   <li>every element with a {@code data-json} pointer: the pointer and the text as rendered ({@code innerText});</li>
 *   <li>the URLs in {@code src} and {@code href} attributes, so that a page that needs the network is caught.</li>
 * </ul>
 * Chromium's console (the page's errors, uncaught exceptions, failed loads) is read from its log on stderr.
 */
public final class HeadlessChromium {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern RESULT = Pattern.compile("<pre id=\"result\">(.*?)</pre>", Pattern.DOTALL);
    private static final Pattern CONSOLE = Pattern.compile(":CONSOLE[^\\]]*\\] (.*)");
    private static final long TIMEOUT_SECONDS = 90;

    private final String binary;

    private HeadlessChromium(String binary) {
        this.binary = binary;
    }

    /** The browser, or empty (with the reason in {@link #missingReason()}) when none is installed. */
    public static Optional<HeadlessChromium> find() {
        String named = System.getenv("DPSPARK_CHROMIUM");
        List<String> candidates = named != null && !named.isBlank() ? List.of(named)
                : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome");
        for (String c : candidates) {
            if (Files.isExecutable(Path.of(c))) {
                return Optional.of(new HeadlessChromium(c));
            }
        }
        return Optional.empty();
    }

    /** Why {@link #find()} found nothing: for a test's skip message. */
    public static String missingReason() {
        return "no headless browser: install Debian's chromium (apt-get install chromium; .ci/run does) or set "
                + "DPSPARK_CHROMIUM to a Chromium binary";
    }

    /** A chart as drawn: its id, the series it declares, its SVG's size on screen and what was drawn in it. */
    public record Chart(String id, List<String> declaredSeries, double width, double height, double drawnWidth,
            double drawnHeight, int shapes, List<String> texts) {}

    /** A value shown on the page, with the JSON pointer it claims to show. */
    public record Shown(String pointer, String text) {}

    /** What the browser rendered of one page, and what it said on its console. */
    public record Inspection(String title, List<Chart> charts, List<Shown> shown, List<String> urls,
            List<String> console) {}

    /** Opens {@code page} (a local file) in the browser and measures it (see the class comment). */
    public Inspection inspect(Path page) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("dpspark-browser");
        try {
            Path copy = dir.resolve("page.html");
            Files.copy(page, copy);
            Path harness = dir.resolve("harness.html");
            Files.writeString(harness, HARNESS, StandardCharsets.UTF_8);
            Run run = run(dir, "--allow-file-access-from-files", "--virtual-time-budget=10000", "--dump-dom",
                    harness.toUri().toString());
            Matcher m = RESULT.matcher(run.stdout);
            if (!m.find()) {
                throw new IllegalStateException("the harness wrote no result; the browser said: " + run.stderr);
            }
            JsonNode r = JSON.readTree(unescape(m.group(1)));
            if (r.has("error")) {
                throw new IllegalStateException("the harness failed in the browser: " + r.get("error").asText());
            }
            List<Chart> charts = new ArrayList<>();
            for (JsonNode c : r.get("charts")) {
                List<String> texts = new ArrayList<>();
                c.get("texts").forEach(t -> texts.add(t.asText()));
                String series = c.path("series").asText("");
                charts.add(new Chart(c.get("id").asText(), series.isEmpty() ? List.of() : List.of(series.split("\\|")),
                        c.get("w").asDouble(), c.get("h").asDouble(), c.get("bw").asDouble(), c.get("bh").asDouble(),
                        c.get("shapes").asInt(), texts));
            }
            List<Shown> shown = new ArrayList<>();
            r.get("shown").forEach(s -> shown.add(new Shown(s.get("pointer").asText(), s.get("text").asText())));
            List<String> urls = new ArrayList<>();
            r.get("urls").forEach(u -> urls.add(u.asText()));
            List<String> console = new ArrayList<>();
            Matcher c = CONSOLE.matcher(run.stderr);
            while (c.find()) {
                console.add(c.group(1).trim());
            }
            return new Inspection(r.get("title").asText(), charts, shown, urls, console);
        } finally {
            deleteTree(dir);
        }
    }

    /** Saves a screenshot of {@code page}, {@code width} x {@code height} CSS pixels, as PNG. */
    public void screenshot(Path page, Path png, int width, int height) throws IOException, InterruptedException {
        Files.createDirectories(png.toAbsolutePath().getParent());
        Path dir = Files.createTempDirectory("dpspark-shot");
        try {
            run(dir, "--hide-scrollbars", "--window-size=" + width + "," + height,
                    "--screenshot=" + png.toAbsolutePath(), page.toUri().toString());
            if (!Files.isRegularFile(png) || Files.size(png) == 0) {
                throw new IllegalStateException("the browser wrote no screenshot of " + page);
            }
        } finally {
            deleteTree(dir);
        }
    }

    private record Run(String stdout, String stderr) {}

    private Run run(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(binary, "--headless", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--disable-extensions", "--user-data-dir=" + dir.resolve("profile"),
                "--enable-logging=stderr", "--v=0"));
        cmd.addAll(List.of(args));
        Path out = dir.resolve("stdout.txt");
        Path err = dir.resolve("stderr.txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("the browser did not finish within " + TIMEOUT_SECONDS + " s");
        }
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IllegalStateException("the browser exited with " + p.exitValue() + ": " + stderr);
        }
        return new Run(Files.readString(out, StandardCharsets.UTF_8), stderr);
    }

    private static String unescape(String html) {
        return html.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'")
                .replace("&amp;", "&");
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * The harness page: loads page.html in an iframe of 1200 x 4000 pixels and, once it has loaded, writes what it
     * measured as JSON into {@code pre#result} (any exception as {"error": ...}).
     */
    private static final String HARNESS = """
            <!DOCTYPE html><html><head><meta charset="utf-8"><title>harness</title></head><body>
            <pre id="result">pending</pre>
            <iframe id="page" src="page.html" width="1200" height="4000"></iframe>
            <script>
            document.getElementById('page').addEventListener('load', function () {
              var out = {};
              try {
                var d = this.contentDocument;
                out.title = d.title;
                out.charts = [];
                d.querySelectorAll('figure.chart').forEach(function (fig) {
                  var svgs = fig.querySelectorAll('svg');
                  var svg = svgs.length === 1 ? svgs[0] : null;
                  var r = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
                  var b = svg ? svg.getBBox() : {width: 0, height: 0};
                  out.charts.push({id: fig.id, series: fig.getAttribute('data-series') || '',
                    w: r.width, h: r.height, bw: b.width, bh: b.height,
                    shapes: svg ? svg.querySelectorAll('path,line,rect,polyline,polygon,circle,ellipse').length : 0,
                    texts: svg ? Array.from(svg.querySelectorAll('text')).map(function (t) {
                      return t.textContent; }) : []});
                });
                out.shown = Array.from(d.querySelectorAll('[data-json]')).map(function (e) {
                  return {pointer: e.getAttribute('data-json'), text: e.innerText};
                });
                out.urls = Array.from(d.querySelectorAll('[src],[href]')).map(function (e) {
                  return e.getAttribute('src') || e.getAttribute('href');
                });
              } catch (e) {
                out = {error: String(e)};
              }
              document.getElementById('result').textContent = JSON.stringify(out);
            });
            </script></body></html>
            """;
}
