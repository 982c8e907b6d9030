package org.kinmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kinmesh.crypto.KeyFiles;
import org.kinmesh.node.api.AdminApiFixture;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.util.TimeSource;

/** kinmesh admin family|node|approve|proposals|audit against a node's real admin API. */
class GovernanceCliTest {
  @TempDir
  Path dir;
  AdminApiFixture node;
  String mom;
  String dad;
  String kid;
  final PrintStream realOut = System.out;
  final PrintStream realErr = System.err;
  ByteArrayOutputStream out;
  ByteArrayOutputStream err;

  @BeforeEach
  void start() throws Exception {
    node = new AdminApiFixture(dir, TimeSource.SYSTEM);
    KeyFiles.write(dir.resolve("mom.key"), AdminApiFixture.MOM);
    KeyFiles.write(dir.resolve("dad.key"), AdminApiFixture.DAD);
    KeyFiles.write(dir.resolve("kid.key"), TestKeys.key(21));
    mom = dir.resolve("mom.key").toString();
    dad = dir.resolve("dad.key").toString();
    kid = dir.resolve("kid.key").toString();
  }

  @AfterEach
  void stop() {
    System.setOut(realOut);
    System.setErr(realErr);
    node.close();
  }

  int run(String... args) {
    out = new ByteArrayOutputStream();
    err = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      return Main.run(args);
    } finally {
      System.setOut(realOut);
      System.setErr(realErr);
    }
  }

  @Test
  void suspendAndReactivateANode() {
    String n4 = AdminApiFixture.NODES.get(3).publicKeyHex();
    assertThat(run("admin", "node", "suspend", "--node", node.url(), "--key", mom, "--id", "family", "--pubkey", n4,
        "--ttl-secs", "3600", "--reason", "lost phone")).as(err.toString()).isZero();
    assertThat(out.toString()).contains("\"status\" : \"pending\"");
    node.commitPending();
    assertThat(run("admin", "node", "status", "--node", node.url())).isZero();
    assertThat(out.toString()).contains("\"status\" : \"suspended\"");
    assertThat(run("admin", "node", "reactivate", "--node", node.url(), "--key", dad, "--id", "family", "--pubkey", n4,
        "--reason", "found")).isZero();
    node.commitPending();
    assertThat(node.store.state().isAuthorized(n4)).isTrue();
    assertThat(run("admin", "audit", "--node", node.url(), "--target", n4)).isZero();
    assertThat(out.toString()).contains("lost phone").contains("found");
  }

  @Test
  void permanentRemovalWithTwoGuardians() {
    String n4 = AdminApiFixture.NODES.get(3).publicKeyHex();
    assertThat(run("admin", "node", "remove", "--node", node.url(), "--key", mom, "--id", "family", "--pubkey", n4,
        "--reason", "sold")).isZero();
    assertThat(out.toString()).contains("awaiting_approvals");
    String resource = new io.vertx.core.json.JsonObject(out.toString()).getString("hash");
    node.commitPending();
    assertThat(run("admin", "proposals", "--node", node.url())).isZero();
    assertThat(out.toString()).contains(resource);
    assertThat(run("admin", "approve", "--node", node.url(), "--key", dad, "--id", "family", "--resource-id", resource))
        .as(err.toString()).isZero();
    node.commitPending();
    assertThat(node.store.state().isAuthorized(n4)).isFalse();
  }

  @Test
  void familyMembersAndRefusals() {
    String kidKey = TestKeys.key(21).publicKeyHex();
    assertThat(run("admin", "family", "add", "--node", node.url(), "--key", mom, "--id", "family", "--member", kidKey,
        "--name", "Kid")).as(err.toString()).isZero();
    node.commitPending();
    assertThat(run("admin", "family", "list", "--node", node.url())).isZero();
    assertThat(out.toString()).contains("\"display_name\" : \"Kid\"");
    // a member is not a guardian: refused with the reason, exit 1
    assertThat(run("admin", "node", "suspend", "--node", node.url(), "--key", kid, "--id", "family", "--pubkey",
        AdminApiFixture.NODES.get(0).publicKeyHex(), "--ttl-secs", "60")).isEqualTo(1);
    assertThat(err.toString()).contains("400 insufficient_permission");
    // usage errors: exit 2
    assertThat(run("admin", "family", "add", "--node", node.url(), "--key", mom, "--id", "family", "--member", "XYZ",
        "--name", "x")).isEqualTo(2);
    assertThat(run("admin", "family", "add", "--node", node.url(), "--key", mom, "--id", "family", "--member", kidKey,
        "--name", "x", "--role", "boss")).isEqualTo(2);
    assertThat(run("admin", "node", "status", "--node", "http://127.0.0.1:1")).isEqualTo(1);
    assertThat(err.toString()).contains("cannot reach node");
  }
}
