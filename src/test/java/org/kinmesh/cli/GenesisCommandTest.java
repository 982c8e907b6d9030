package org.kinmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.chain.Block;
import org.kinmesh.chain.Ledger;
import org.kinmesh.crypto.Identity;
import org.kinmesh.testing.StdCapture;

class GenesisCommandTest {
  @TempDir
  Path dir;
  @RegisterExtension
  final StdCapture std = new StdCapture();

  private Path spec(String json) throws Exception {
    Path p = dir.resolve("spec.json");
    Files.writeString(p, json);
    return p;
  }

  private static String key(int n) {
    byte[] seed = new byte[32];
    seed[0] = (byte) n;
    return Identity.fromSeed(seed).publicKeyHex();
  }

  @Test
  void buildsADeterministicGenesisAndPrintsItsHash() throws Exception {
    String json = "{\"blockchain_id\":\"smith-family\",\"guardians\":[{\"pubkey\":\"" + key(1)
        + "\",\"display_name\":\"Mom\"},{\"pubkey\":\"" + key(2) + "\",\"display_name\":\"Dad\"}],"
        + "\"consensus_nodes\":[{\"pubkey\":\"" + key(3) + "\",\"node_id\":2},{\"pubkey\":\"" + key(4)
        + "\",\"node_id\":1}],\"deauth_threshold\":2,\"timelock_hours\":24,\"inactivity_days\":14,"
        // A fixed time: two builds a second apart must still be byte for byte the same.
        + "\"genesis_timestamp\":1790000000}";
    Path g = dir.resolve("genesis.json");
    assertThat(Main.run("genesis", "--spec", spec(json).toString(), "--out", g.toString())).isEqualTo(0);
    Block block = Block.parse(Files.readAllBytes(g));
    assertThat(std.out().trim()).isEqualTo(block.hash());
    assertThat(Ledger.genesis(block).state().activeConsensusCount()).isEqualTo(2);
    assertThat(block.params().timelockHours()).isEqualTo(24);

    Path g2 = dir.resolve("genesis2.json");
    assertThat(Main.run("genesis", "--spec", spec(json).toString(), "--out", g2.toString())).isEqualTo(0);
    assertThat(Files.readAllBytes(g2)).isEqualTo(Files.readAllBytes(g));
  }

  /** Issue 12.7: a single-parent family that never set deauth_threshold gets one that fits (1). */
  @Test
  void oneGuardianWithoutADeauthThresholdGetsOneThatFits() throws Exception {
    String json = "{\"blockchain_id\":\"solo\",\"guardians\":[{\"pubkey\":\"" + key(1)
        + "\",\"display_name\":\"Mom\"}],\"consensus_nodes\":[{\"pubkey\":\"" + key(3) + "\",\"node_id\":1}],"
        + "\"genesis_timestamp\":1790000000}";
    Path g = dir.resolve("genesis.json");
    assertThat(Main.run("genesis", "--spec", spec(json).toString(), "--out", g.toString())).as(std.err()).isZero();
    assertThat(Block.parse(Files.readAllBytes(g)).params().deauthThreshold()).isEqualTo(1);
    // two or more guardians keep the default of 2
    String two = json.replace("\"solo\"", "\"duo\"").replace("}],\"consensus", "},{\"pubkey\":\"" + key(2)
        + "\",\"display_name\":\"Dad\"}],\"consensus");
    Path g2 = dir.resolve("genesis2.json");
    assertThat(Main.run("genesis", "--spec", spec(two).toString(), "--out", g2.toString())).as(std.err()).isZero();
    assertThat(Block.parse(Files.readAllBytes(g2)).params().deauthThreshold()).isEqualTo(2);
  }

  @Test
  void aSpecWithoutTimestampGetsOneWrittenBackSoARerunGivesTheSameChain() throws Exception {
    // Issue 12.5: the timestamp defaulted to "now", so two runs on one spec made two chains.
    String json = "{\"blockchain_id\":\"x\",\"deauth_threshold\":1,\"guardians\":[{\"pubkey\":\"" + key(1)
        + "\",\"display_name\":\"Mom\"}],\n  \"consensus_nodes\":[{\"pubkey\":\"" + key(3) + "\",\"node_id\":1}]\n}\n";
    Path spec = spec(json);
    Path g1 = dir.resolve("g1.json");
    assertThat(Main.run("genesis", "--spec", spec.toString(), "--out", g1.toString())).isEqualTo(0);
    String written = Files.readString(spec);
    // The user's text is kept; only the timestamp of this first run is added.
    assertThat(written).startsWith(json.substring(0, json.lastIndexOf('}')).stripTrailing());
    long ts = org.kinmesh.wire.StrictJson.parse(written.getBytes(java.nio.charset.StandardCharsets.UTF_8))
        .requireLong("genesis_timestamp");
    assertThat(Block.parse(Files.readAllBytes(g1)).timestamp()).isEqualTo(ts);
    assertThat(std.err()).contains("genesis_timestamp").contains(spec.toString());

    Path g2 = dir.resolve("g2.json");
    std.clearOut();
    assertThat(Main.run("genesis", "--spec", spec.toString(), "--out", g2.toString())).isEqualTo(0);
    assertThat(Files.readAllBytes(g2)).isEqualTo(Files.readAllBytes(g1));
    assertThat(Files.readString(spec)).isEqualTo(written);
  }

  @Test
  void aSpecWithoutTimestampIsLeftAloneWhenTheOutputExists() throws Exception {
    String json = "{\"blockchain_id\":\"x\",\"deauth_threshold\":1,\"guardians\":[{\"pubkey\":\"" + key(1)
        + "\",\"display_name\":\"Mom\"}],\"consensus_nodes\":[{\"pubkey\":\"" + key(3) + "\",\"node_id\":1}]}";
    Path spec = spec(json);
    Path g = dir.resolve("genesis.json");
    Files.writeString(g, "keep me");
    assertThat(Main.run("genesis", "--spec", spec.toString(), "--out", g.toString())).isEqualTo(2);
    assertThat(Files.readString(spec)).isEqualTo(json);
  }

  @Test
  void refusesToOverwrite() throws Exception {
    String json = "{\"blockchain_id\":\"x\",\"deauth_threshold\":1,\"guardians\":[{\"pubkey\":\"" + key(1)
        + "\",\"display_name\":\"Mom\"}],\"consensus_nodes\":[{\"pubkey\":\"" + key(3) + "\",\"node_id\":1}]}";
    Path g = dir.resolve("genesis.json");
    Files.writeString(g, "keep me");
    assertThat(Main.run("genesis", "--spec", spec(json).toString(), "--out", g.toString())).isEqualTo(2);
    assertThat(Files.readString(g)).isEqualTo("keep me");
    assertThat(std.err()).contains("already exists");
  }

  @Test
  void badSpecsNameTheField() throws Exception {
    String[][] cases = {
        {"{\"blockchain_id\":\"x\",\"guardians\":[{\"pubkey\":\"nope\"}],\"consensus_nodes\":[]}", "guardians[0].pubkey"},
        {"{\"blockchain_id\":\"x y\",\"guardians\":[],\"consensus_nodes\":[]}", "blockchain_id"},
        {"{\"blockchain_id\":\"x\",\"deauth_threshold\":2,\"guardians\":[{\"pubkey\":\"" + key(1)
            + "\",\"display_name\":\"Mom\"}],\"consensus_nodes\":[{\"pubkey\":\"" + key(3) + "\",\"node_id\":1}]}",
            "deauth_threshold"},
        {"{\"blockchain_id\":\"x\",\"deauth_threshold\":1,\"guardians\":[{\"pubkey\":\"" + key(1)
            + "\",\"display_name\":\"Mom\"}],\"consensus_nodes\":[{\"pubkey\":\"" + key(3) + "\",\"node_id\":1},"
            + "{\"pubkey\":\"" + key(4) + "\",\"node_id\":1}]}", "consensus_nodes[1].node_id"},
        {"{\"blockchain_id\":\"x\",\"deauth_threshold\":1,\"guardians\":[{\"pubkey\":\"" + key(1)
            + "\",\"display_name\":\"10.0.0.1\"}],\"consensus_nodes\":[]}", "guardians[0].display_name"},
        {"{\"blockchain_id\":\"x\",\"inactivity_days\":-1,\"guardians\":[],\"consensus_nodes\":[]}", "inactivity_days"},
    };
    int i = 0;
    for (String[] c : cases) {
      std.clearErr();
      Path g = dir.resolve("g" + i++ + ".json");
      assertThat(Main.run("genesis", "--spec", spec(c[0]).toString(), "--out", g.toString())).as(c[1]).isEqualTo(2);
      assertThat(std.err()).as(c[0]).contains(c[1]);
      assertThat(g).doesNotExist();
    }
  }
}
