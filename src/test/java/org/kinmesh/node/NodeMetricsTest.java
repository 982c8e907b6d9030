package org.kinmesh.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 17: the node's Prometheus {@code /metrics}, scraped from a live four-node network. */
class NodeMetricsTest {
  private static final Pattern SAMPLE = Pattern.compile("^([a-z_]+)(\\{[^}]*\\})? (\\S+)$");

  @TempDir
  Path dir;

  record Sample(String name, String labels, double value) {
    String label(String key) {
      Matcher m = Pattern.compile(key + "=\"([^\"]*)\"").matcher(labels);
      return m.find() ? m.group(1) : null;
    }
  }

  @Test
  void aScrapeOfALiveNodeHasEveryFamilyWithSaneValues() throws Exception {
    try (TestNetwork net = new TestNetwork(dir, 4)) {
      net.startAll();
      net.awaitHeightOnUpNodes(3);
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + net.node(0).node.apiPort() + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
      List<Sample> s = parse(r.body());

      assertThat(one(s, "kinmesh_pbft_height")).isGreaterThanOrEqualTo(3);
      assertThat(one(s, "kinmesh_pbft_view")).isGreaterThanOrEqualTo(0);
      assertThat(one(s, "kinmesh_pbft_view_changes_total")).isGreaterThanOrEqualTo(0);
      assertThat(one(s, "kinmesh_pbft_committed_blocks_total")).isGreaterThanOrEqualTo(1);
      assertThat(one(s, "kinmesh_pbft_equivocations_total")).isZero();
      // Exactly one quorum mode is current.
      List<Sample> modes = named(s, "kinmesh_quorum_mode");
      assertThat(modes).extracting(m -> m.label("mode")).contains("healthy", "degraded", "stalled", "emergency");
      assertThat(modes.stream().mapToDouble(Sample::value).sum()).isEqualTo(1);
      // Each of the three peers is on exactly one path.
      Map<String, Double> pathsPerPeer = named(s, "kinmesh_peer_path").stream()
          .collect(Collectors.groupingBy(m -> m.label("peer"), Collectors.summingDouble(Sample::value)));
      assertThat(pathsPerPeer).hasSize(3).allSatisfy((peer, ones) -> assertThat(ones).as(peer).isEqualTo(1));
      assertThat(named(s, "kinmesh_peer_path")).extracting(m -> m.label("path"))
          .contains("direct_udp", "direct_tcp", "relayed", "none");
      // The latency histogram: cumulative buckets up to +Inf = count, at least one committed block.
      List<Sample> buckets = named(s, "kinmesh_pbft_commit_latency_seconds_bucket");
      assertThat(buckets).extracting(b -> b.label("le")).contains("0.005", "+Inf");
      double count = one(s, "kinmesh_pbft_commit_latency_seconds_count");
      assertThat(count).isGreaterThanOrEqualTo(1);
      assertThat(buckets.get(buckets.size() - 1).value()).isEqualTo(count);
      assertThat(one(s, "kinmesh_pbft_commit_latency_seconds_sum")).isGreaterThan(0);
      assertThat(one(s, "kinmesh_gossip_peers")).isGreaterThanOrEqualTo(0);
      assertThat(named(s, "kinmesh_gossip_dropped_total")).isNotEmpty();
      assertThat(named(s, "kinmesh_pbft_rejected_total")).extracting(m -> m.label("reason")).contains("stale");
    }
  }

  private static List<Sample> parse(String text) {
    List<Sample> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      assertThat(m.matches()).as("a Prometheus sample line: " + line).isTrue();
      out.add(new Sample(m.group(1), m.group(2) == null ? "" : m.group(2), Double.parseDouble(m.group(3))));
    }
    return out;
  }

  private static List<Sample> named(List<Sample> s, String name) {
    return s.stream().filter(x -> x.name().equals(name)).toList();
  }

  private static double one(List<Sample> s, String name) {
    List<Sample> found = named(s, name);
    assertThat(found).as(name).hasSize(1);
    return found.get(0).value();
  }
}
