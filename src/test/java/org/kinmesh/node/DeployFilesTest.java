package org.kinmesh.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** conf/node.example.json and deploy/kinmesh-node.service: valid, complete, and hardened like the relay's unit. */
class DeployFilesTest {
  static final Path EXAMPLE = Path.of("conf/node.example.json");

  @Test
  void theExampleConfigParsesWithNodeConfigAndItsPathsAreRelativeToIt() throws Exception {
    JsonObject json = new JsonObject(Files.readString(EXAMPLE));
    NodeConfig c = NodeConfig.fromJson(json, Map.of(), null, EXAMPLE.toAbsolutePath().getParent());
    Path conf = EXAMPLE.toAbsolutePath().getParent();
    assertThat(c.identityPath()).isEqualTo(conf.resolve("node.key"));
    assertThat(c.genesisPath()).isEqualTo(conf.resolve("genesis.json"));
    assertThat(c.dataDir()).isEqualTo(conf.resolve("data"));
    assertThat(c.apiListen().host()).isEqualTo("127.0.0.1");
    assertThat(c.adminAllowRemote()).isFalse();
    assertThat(c.gossipUdpPort()).isEqualTo(7070);
  }

  /** Keys in the first column of the markdown table under {@code heading} (a cell may list several). */
  static List<String> documentedKeys(Path doc, String heading) throws Exception {
    String text = Files.readString(doc);
    int at = text.indexOf(heading);
    assertThat(at).as(heading + " in " + doc).isNotNegative();
    List<String> keys = new ArrayList<>();
    boolean inTable = false;
    for (String line : text.substring(at).split("\n")) {
      if (line.startsWith("| key")) {
        inTable = true;
      } else if (inTable && !line.startsWith("|")) {
        break;
      } else if (inTable && !line.startsWith("|---")) {
        Matcher m = Pattern.compile("`([a-z_.*]+)`").matcher(line.split("\\|")[1]);
        while (m.find()) {
          keys.add(m.group(1));
        }
      }
    }
    return keys;
  }

  static Set<String> exampleKeys(JsonObject o, String prefix) {
    Set<String> keys = new TreeSet<>();
    for (String k : o.fieldNames()) {
      keys.add(prefix + k);
      if (o.getValue(k) instanceof JsonObject nested) {
        keys.addAll(exampleKeys(nested, prefix + k + "."));
      }
    }
    return keys;
  }

  @Test
  void theExampleHoldsEveryKeyTheDocsDocumentAndNoOther() throws Exception {
    List<String> documented = new ArrayList<>();
    for (String k : documentedKeys(Path.of("docs/node.md"), "## Config (`-conf FILE`, JSON)")) {
      if (!k.equals("gossip.*")) {
        documented.add(k);
      }
    }
    documentedKeys(Path.of("docs/gossip.md"), "## Config (`gossip` object").forEach(k -> documented.add("gossip." + k));
    assertThat(documented).hasSizeGreaterThan(40);
    Set<String> example = exampleKeys(new JsonObject(Files.readString(EXAMPLE)), "");
    example.removeAll(Set.of("intervals", "quorum", "gossip"));
    assertThat(example).containsExactlyInAnyOrderElementsOf(documented);
  }

  static Map<String, String> serviceSection(Path unit) throws Exception {
    Map<String, String> out = new LinkedHashMap<>();
    boolean in = false;
    for (String line : Files.readAllLines(unit)) {
      if (line.startsWith("[")) {
        in = line.equals("[Service]");
      } else if (in && !line.isBlank() && !line.startsWith("#")) {
        int eq = line.indexOf('=');
        out.merge(line.substring(0, eq), line.substring(eq + 1), (a, b) -> a + "\n" + b);
      }
    }
    return out;
  }

  @Test
  void theNodeUnitKeepsEveryHardeningSettingOfTheRelayUnit() throws Exception {
    Map<String, String> relay = serviceSection(Path.of("deploy/kinmesh-relay.service"));
    Map<String, String> node = serviceSection(Path.of("deploy/kinmesh-node.service"));
    // Who runs it and what: the node has a fixed user (its key file must keep one owner).
    Set<String> own = Set.of("ExecStart", "Environment", "DynamicUser", "User", "Group", "StateDirectory",
        "WorkingDirectory");
    relay.forEach((k, v) -> {
      if (!own.contains(k)) {
        assertThat(node.get(k)).as(k).isEqualTo(v);
      }
    });
    assertThat(node.get("ExecStart")).endsWith("kinmesh.jar node -conf /var/lib/kinmesh-node/node.json");
    assertThat(node.get("StateDirectory")).isEqualTo("kinmesh-node");
    assertThat(node.get("WorkingDirectory")).isEqualTo("/var/lib/kinmesh-node");
    assertThat(node.get("ReadWritePaths")).isEqualTo("/var/lib/kinmesh-node");
    assertThat(node.get("User")).isEqualTo("kinmesh");
  }
}
