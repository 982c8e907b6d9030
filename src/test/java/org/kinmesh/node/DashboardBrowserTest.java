package org.kinmesh.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.testing.Await;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dashboard at {@code /} in a real headless Chromium (Debian's chromium and chromium-driver;
 * bin/test installs them) against four live nodes: the map shows all four nodes and node 0's path
 * to each peer, the height moves on its own (server-sent events), and a stopped peer's edge turns
 * "down". A screenshot is kept in target/dashboard/ for a person to look at.
 */
class DashboardBrowserTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Duration BOUND = Duration.ofSeconds(30);

  @TempDir
  Path dir;

  @Test
  void theMapShowsAllFourNodesTheirPathsAndALiveHeight() throws Exception {
    assertThat(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER))
        .as("this test drives a real headless Chromium: install it with `apt-get install chromium chromium-driver` "
            + "(bin/test does so when run as root); missing " + (Files.isExecutable(CHROMIUM) ? CHROMEDRIVER : CHROMIUM))
        .isTrue();
    try (TestNetwork net = new TestNetwork(dir, 4).startAll()) {
      net.awaitHeightOnUpNodes(2);
      net.awaitDirectPaths();
      int port = net.node(0).node.apiPort();
      ChromeDriver browser = chromium();
      try {
        browser.get("http://127.0.0.1:" + port + "/");
        List<String> keys = net.nodes().stream().map(TestNetwork.Member::key).toList();
        Await.until("the map shows the four nodes and three direct edges", BOUND,
            () -> nodesOnMap(browser).keySet().containsAll(keys) && edges(browser).size() == 3
                && edges(browser).values().stream().allMatch(p -> p.startsWith("direct")));
        Map<String, String> nodes = nodesOnMap(browser);
        assertThat(nodes).hasSize(4);
        assertThat(nodes.get(net.node(0).key())).as("labels name the node").startsWith("node 1 · ");
        assertThat(edges(browser).keySet()).containsExactlyInAnyOrderElementsOf(keys.subList(1, 4));
        assertThat(browser.findElement(By.id("live")).getText()).isEqualTo("live");
        assertThat(browser.findElement(By.id("quorum-mode")).getText()).isEqualTo("healthy");

        long first = height(browser);
        Await.until("the height moves without a reload", BOUND, () -> height(browser) > first + 1);
        assertThat(browser.findElements(By.cssSelector("#blocks tbody tr"))).isNotEmpty();
        screenshot(browser, "dashboard-4-nodes.png");

        net.stop(3);
        Await.until("node 3's edge turns down", BOUND, () -> "down".equals(edges(browser).get(keys.get(3))));
        assertThat(edgeClasses(browser).get(keys.get(3))).isEqualTo("edge down");
        assertThat(edgeClasses(browser).get(keys.get(1))).isEqualTo("edge direct");
        screenshot(browser, "dashboard-node-down.png");
      } finally {
        browser.quit();
      }
    }
  }

  /** data-key -> label of every node drawn on the map (read in one script: the page redraws live). */
  private static Map<String, String> nodesOnMap(ChromeDriver browser) {
    return pairs(browser, "#map g.node", "data-key", "data-label");
  }

  /** peer key -> path of every edge drawn from this node. */
  private static Map<String, String> edges(ChromeDriver browser) {
    return pairs(browser, "#map line.edge", "data-to", "data-path");
  }

  /** peer key -> the CSS class of its edge (what colours it). */
  private static Map<String, String> edgeClasses(ChromeDriver browser) {
    return pairs(browser, "#map line.edge", "data-to", "class");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> pairs(ChromeDriver browser, String selector, String key, String value) {
    List<List<String>> rows = (List<List<String>>) browser.executeScript("return Array.from(document"
        + ".querySelectorAll(arguments[0])).map(e => [e.getAttribute(arguments[1]), e.getAttribute(arguments[2])]);",
        selector, key, value);
    Map<String, String> out = new java.util.TreeMap<>();
    rows.forEach(r -> out.put(r.get(0), r.get(1)));
    return out;
  }

  private static long height(ChromeDriver browser) {
    String t = browser.findElement(By.id("height")).getText();
    return t.matches("\\d+") ? Long.parseLong(t) : -1;
  }

  private static void screenshot(ChromeDriver browser, String name) throws Exception {
    Path out = Path.of("target", "dashboard");
    Files.createDirectories(out);
    Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), out.resolve(name),
        StandardCopyOption.REPLACE_EXISTING);
  }

  /** Headless, loopback only: no background fetches, no updates, no proxy lookups. */
  private ChromeDriver chromium() throws Exception {
    ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
        "--window-size=1100,1300", "--user-data-dir=" + Files.createDirectories(dir.resolve("chromium")),
        "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions",
        "--no-proxy-server", "--dns-prefetch-disable", "--metrics-recording-only", "--disable-breakpad");
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort().withLogFile(dir.resolve("chromedriver.log").toFile()).build();
    return new ChromeDriver(service, options);
  }
}
