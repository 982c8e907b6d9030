package org.kinmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.crypto.KeyFiles;
import org.kinmesh.node.api.AdminApiFixture;
import org.kinmesh.testing.StdCapture;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.util.TimeSource;

/**
 * docs/guide.md, "A laptop is lost or sold": the exact command sequence of the guide, against a
 * node's real admin API. The old key stops at the suspension (one guardian, at once), the new
 * key works once registered, and the removal for good needs the second guardian.
 */
class LaptopReplacementCliTest {
  @TempDir
  Path dir;
  AdminApiFixture node;
  final StdCapture std = new StdCapture();
  final String oldLaptop = TestKeys.key(41).publicKeyHex();
  final String newLaptop = TestKeys.key(42).publicKeyHex();
  String mum;
  String dad;

  @BeforeEach
  void start() throws Exception {
    node = new AdminApiFixture(dir, TimeSource.SYSTEM);
    KeyFiles.write(dir.resolve("mum.key"), AdminApiFixture.MOM);
    KeyFiles.write(dir.resolve("dad.key"), AdminApiFixture.DAD);
    mum = dir.resolve("mum.key").toString();
    dad = dir.resolve("dad.key").toString();
  }

  @AfterEach
  void stop() {
    node.close();
  }

  int run(String... args) {
    return std.during(() -> Main.run(args));
  }

  int admin(String key, String... args) {
    String[] all = new String[args.length + 6];
    System.arraycopy(args, 0, all, 0, args.length);
    System.arraycopy(new String[] {"--node", node.url(), "--key", key, "--id", "family"}, 0, all, args.length, 6);
    return run(all);
  }

  String status(String pubkey) {
    return node.store.state().nodes().get(pubkey).status().toString().toLowerCase();
  }

  @Test
  void suspendTheLostKeyRegisterTheNewOneThenRemoveTheOldForGood() {
    assertThat(admin(mum, "admin", "node", "register", "--pubkey", oldLaptop, "--node-id", "7", "--member"))
        .as(std.err()).isZero();
    node.commitPending();
    assertThat(node.store.state().isAuthorized(oldLaptop)).isTrue();

    // 1. At once, one guardian: the lost laptop's key is out.
    assertThat(admin(mum, "admin", "node", "suspend", "--pubkey", oldLaptop, "--ttl-secs", "2592000", "--reason",
        "laptop lost")).as(std.err()).isZero();
    node.commitPending();
    assertThat(node.store.state().isAuthorized(oldLaptop)).isFalse();
    // 2. The new laptop: a new key (never a copy of the old one), registered as a member node.
    assertThat(admin(mum, "admin", "node", "register", "--pubkey", newLaptop, "--node-id", "8", "--member"))
        .as(std.err()).isZero();
    node.commitPending();
    assertThat(node.store.state().isAuthorized(newLaptop)).isTrue();
    // 3. For good: one guardian proposes, the other approves.
    assertThat(admin(mum, "admin", "node", "remove", "--pubkey", oldLaptop, "--reason", "lost; replaced"))
        .as(std.err()).isZero();
    String resource = new JsonObject(std.out()).getString("hash");
    assertThat(new JsonObject(std.out()).getString("validation")).isEqualTo("awaiting_approvals");
    node.commitPending();
    assertThat(admin(dad, "admin", "approve", "--resource-id", resource)).as(std.err()).isZero();
    node.commitPending();
    assertThat(status(oldLaptop)).contains("removed");
    // A removed key cannot be brought back by one guardian's reactivation.
    assertThat(admin(mum, "admin", "node", "reactivate", "--pubkey", oldLaptop, "--reason", "found it")).isEqualTo(1);
    node.commitPending();
    assertThat(node.store.state().isAuthorized(oldLaptop)).isFalse();
    assertThat(node.store.state().isAuthorized(newLaptop)).isTrue();
  }
}
