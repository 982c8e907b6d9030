package org.kinmesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

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

/** kinmesh admin family|node|approve|proposals|audit against a node's real admin API. */
class GovernanceCliTest {
  @TempDir
  Path dir;
  AdminApiFixture node;
  String mom;
  String dad;
  String kid;
  /** Captures each CLI run alone: the node's event loops log meanwhile. */
  final StdCapture std = new StdCapture();

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
    node.close();
  }

  int run(String... args) {
    return std.during(() -> Main.run(args));
  }

  @Test
  void suspendAndReactivateANode() {
    String n4 = AdminApiFixture.NODES.get(3).publicKeyHex();
    assertThat(run("admin", "node", "suspend", "--node", node.url(), "--key", mom, "--id", "family", "--pubkey", n4,
        "--ttl-secs", "3600", "--reason", "lost phone")).as(std.err()).isZero();
    assertThat(std.out()).contains("\"status\" : \"pending\"");
    node.commitPending();
    assertThat(run("admin", "node", "status", "--node", node.url())).isZero();
    assertThat(std.out()).contains("\"status\" : \"suspended\"");
    assertThat(run("admin", "node", "reactivate", "--node", node.url(), "--key", dad, "--id", "family", "--pubkey", n4,
        "--reason", "found")).isZero();
    node.commitPending();
    assertThat(node.store.state().isAuthorized(n4)).isTrue();
    assertThat(run("admin", "audit", "--node", node.url(), "--target", n4)).isZero();
    assertThat(std.out()).contains("lost phone").contains("found");
  }

  @Test
  void permanentRemovalWithTwoGuardians() {
    String n4 = AdminApiFixture.NODES.get(3).publicKeyHex();
    assertThat(run("admin", "node", "remove", "--node", node.url(), "--key", mom, "--id", "family", "--pubkey", n4,
        "--reason", "sold")).isZero();
    assertThat(std.out()).contains("awaiting_approvals");
    String resource = new io.vertx.core.json.JsonObject(std.out()).getString("hash");
    node.commitPending();
    assertThat(run("admin", "proposals", "--node", node.url())).isZero();
    assertThat(std.out()).contains(resource);
    assertThat(run("admin", "approve", "--node", node.url(), "--key", dad, "--id", "family", "--resource-id", resource))
        .as(std.err()).isZero();
    node.commitPending();
    assertThat(node.store.state().isAuthorized(n4)).isFalse();
  }

  @Test
  void familyMembersAndRefusals() {
    String kidKey = TestKeys.key(21).publicKeyHex();
    assertThat(run("admin", "family", "add", "--node", node.url(), "--key", mom, "--id", "family", "--member", kidKey,
        "--name", "Kid")).as(std.err()).isZero();
    node.commitPending();
    assertThat(run("admin", "family", "list", "--node", node.url())).isZero();
    assertThat(std.out()).contains("\"display_name\" : \"Kid\"");
    // a member is not a guardian: refused with the reason, exit 1
    assertThat(run("admin", "node", "suspend", "--node", node.url(), "--key", kid, "--id", "family", "--pubkey",
        AdminApiFixture.NODES.get(0).publicKeyHex(), "--ttl-secs", "60")).isEqualTo(1);
    assertThat(std.err()).contains("400 insufficient_permission");
    // usage errors: exit 2
    assertThat(run("admin", "family", "add", "--node", node.url(), "--key", mom, "--id", "family", "--member", "XYZ",
        "--name", "x")).isEqualTo(2);
    assertThat(run("admin", "family", "add", "--node", node.url(), "--key", mom, "--id", "family", "--member", kidKey,
        "--name", "x", "--role", "boss")).isEqualTo(2);
    assertThat(run("admin", "node", "status", "--node", "http://127.0.0.1:1")).isEqualTo(1);
    assertThat(std.err()).contains("cannot reach node");
  }

  String newNode = TestKeys.key(31).publicKeyHex();

  int register(String... flags) {
    String[] base = {"admin", "node", "register", "--node", node.url(), "--key", mom, "--id", "family", "--pubkey",
        newNode, "--node-id", "9"};
    String[] args = java.util.Arrays.copyOf(base, base.length + flags.length);
    System.arraycopy(flags, 0, args, base.length, flags.length);
    return run(args);
  }

  boolean registeredAsConsensus() {
    return node.store.state().nodes().get(newNode).consensusNode();
  }

  @Test
  void theBareConsensusFlagRegistersAConsensusNode() {
    assertThat(register("--consensus")).as(std.err()).isZero();
    // a consensus registration moves the quorum: it waits for the second guardian
    assertThat(std.out()).contains("awaiting_approvals");
    String resource = new io.vertx.core.json.JsonObject(std.out()).getString("hash");
    node.commitPending();
    assertThat(run("admin", "approve", "--node", node.url(), "--key", dad, "--id", "family", "--resource-id", resource))
        .as(std.err()).isZero();
    node.commitPending();
    assertThat(registeredAsConsensus()).isTrue();
  }

  @Test
  void theMemberFlagRegistersANonConsensusNodeAndTheTwoFlagsExcludeEachOther() {
    assertThat(register("--consensus", "--member")).isEqualTo(2);
    assertThat(std.err()).contains("--consensus").contains("--member");
    assertThat(register("--member")).as(std.err()).isZero();
    assertThat(std.out()).contains("\"validation\" : \"valid\"");
    node.commitPending();
    assertThat(registeredAsConsensus()).isFalse();
  }

  @Test
  void theExplicitValueFormStillWorks() {
    assertThat(register("--consensus=false")).as(std.err()).isZero();
    assertThat(std.out()).contains("\"validation\" : \"valid\"");
    node.commitPending();
    assertThat(registeredAsConsensus()).isFalse();
    assertThat(register("--consensus=maybe")).isEqualTo(2);
  }

  @Test
  void aContradictorySecondRegistrationSaysHowToFixItAndRemoveThenRegisterWorks() {
    assertThat(register("--member")).as(std.err()).isZero();
    node.commitPending();
    assertThat(register("--consensus")).isEqualTo(1);
    assertThat(std.err()).contains("400 conflict").contains("non-consensus").contains("kinmesh admin node remove")
        .contains("register it again");
    assertThat(registeredAsConsensus()).isFalse();
    // the same registration again is a plain duplicate
    assertThat(register("--member")).isEqualTo(1);
    assertThat(std.err()).contains("400 duplicate");

    assertThat(run("admin", "node", "remove", "--node", node.url(), "--key", mom, "--id", "family", "--pubkey",
        newNode, "--reason", "wrong kind")).as(std.err()).isZero();
    String resource = new io.vertx.core.json.JsonObject(std.out()).getString("hash");
    node.commitPending();
    assertThat(run("admin", "approve", "--node", node.url(), "--key", dad, "--id", "family", "--resource-id", resource))
        .as(std.err()).isZero();
    node.commitPending();
    assertThat(register("--consensus")).as(std.err()).isZero();
    String again = new io.vertx.core.json.JsonObject(std.out()).getString("hash");
    node.commitPending();
    assertThat(run("admin", "approve", "--node", node.url(), "--key", dad, "--id", "family", "--resource-id", again))
        .as(std.err()).isZero();
    node.commitPending();
    assertThat(registeredAsConsensus()).isTrue();
    assertThat(node.store.state().isAuthorized(newNode)).isTrue();
  }
}
