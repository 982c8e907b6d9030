package org.kinmesh.consensus.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kinmesh.consensus.ProposalTime;
import org.kinmesh.consensus.QuorumPolicy;
import org.kinmesh.consensus.Quorums;
import org.kinmesh.crypto.Ed25519;
import org.kinmesh.crypto.Hex;

/**
 * The emergency majority of docs/quorum.md on the PBFT core, n = 5 (strict 4, majority 3), with the
 * host's rules as the Consensus host applies them: a block needs the majority only when its own
 * timestamp is emergency_after_secs (here 60 s) after its parent's ({@link QuorumPolicy#blockThreshold}),
 * an honest replica does not vote for a block dated in its future ({@link ProposalTime}), and the
 * view-change quorum follows the replica's clock. Payloads carry the proposer's clock; everything
 * runs on the sim's virtual clock.
 */
class EmergencyMajorityTest {
  static final long E = 60;
  static final QuorumPolicy POLICY = new QuorumPolicy(1, true, E);

  static String sha(byte[] p) {
    return Hex.encode(Ed25519.sha256(p));
  }

  static SimNetwork emergencyNet(long seed) {
    SimNetwork net = new SimNetwork(5, seed);
    net.timestamps = true;
    net.wakeEveryMs = 1_000;
    net.quorumOf = node -> new QuorumRule() {
      @Override
      public int forBlock(long height, String digest, byte[] payload, Membership m) {
        long parent = net.committedTimestamp(node, height - 1);
        if (payload == null || !sha(payload).equals(digest) || parent < 0) {
          return m.threshold();
        }
        return POLICY.blockThreshold(m.size(), parent, SimNetwork.timestampOf(payload));
      }

      @Override
      public int forViewChange(long height, Membership m) {
        long parent = net.committedTimestamp(node, height - 1);
        return parent >= 0 && POLICY.emergencyApplies(m.size(), net.nowSecs() - parent)
            ? Quorums.majority(m.size()) : m.threshold();
      }

      @Override
      public int lowest(Membership m) {
        return POLICY.lowestThreshold(m.size());
      }
    };
    net.validatorOf = node -> (height, payload, digest, proposal, from) -> {
      if (payload == null || !sha(payload).equals(digest)) {
        return Verdict.INVALID;
      }
      if (!proposal) {
        return Verdict.VALID;
      }
      long parent = net.committedTimestamp(node, height - 1);
      long ts = SimNetwork.timestampOf(payload);
      boolean emergency = parent >= 0 && ts - parent >= E;
      return switch (ProposalTime.judge(ts, net.nowSecs(), emergency)) {
        case OK -> Verdict.VALID;
        case WAIT -> null; // not decided yet: the host's Wake makes the replica ask again
        case REFUSE -> Verdict.INVALID;
      };
    };
    // Every commit must carry what its block needs by the rule (the sim checks each one).
    net.certificateThreshold = (node, c) -> POLICY.blockThreshold(5, net.committedTimestamp(node, c.height() - 1),
        SimNetwork.timestampOf(c.payload()));
    return net;
  }

  static long upHeight(SimNetwork net) {
    return net.nodes.stream().filter(n -> n.up).mapToLong(SimNetwork.Node::height).max().orElseThrow();
  }

  static long gap(SimNetwork.Node n, long h) {
    return SimNetwork.timestampOf(n.chain.get(h).payload()) - (h == 1 ? 0 : SimNetwork.timestampOf(n.chain.get(h - 1).payload()));
  }

  @Test
  void twoOfFiveDownStallUntilTheWaitThenTheMajorityCommitsBlocksDatedAfterIt() {
    SimNetwork net = emergencyNet(31);
    net.startAll();
    assertThat(net.allUpReach(3, 60_000)).isTrue();
    List<SimNetwork.Node> backups = net.nodes.stream().filter(n -> n != net.primaryOfView(0)).toList();
    net.crash(backups.get(0));
    net.crash(backups.get(1));
    net.runFor(2_000);
    long stuck = upHeight(net);
    // Strict 4 of 5 is out of reach and 60 s have not passed since the last block: nothing commits.
    net.runFor(40_000);
    assertThat(upHeight(net)).isEqualTo(stuck);

    // Past the wait, each block dated 60 s after its parent commits with 3 of 5.
    assertThat(net.allUpReach(stuck + 2, 300_000)).isTrue();
    net.assertAgreement();
    SimNetwork.Node live = net.nodes.stream().filter(n -> n.up).findFirst().orElseThrow();
    for (long h = stuck + 1; h <= stuck + 2; h++) {
      assertThat(gap(live, h)).as("height %d", h).isGreaterThanOrEqualTo(E);
      assertThat(live.chain.get(h).cert().signers()).hasSize(3);
      assertThat(CommitCertificate.verify(live.chain.get(h).cert(), net.initial.keys(), 3)).isTrue();
    }
  }

  @Test
  void theDeadPrimaryIsReplacedByAMajorityOfViewChangesOnceTheWaitIsOver() {
    SimNetwork net = emergencyNet(32);
    net.startAll();
    assertThat(net.allUpReach(2, 60_000)).isTrue();
    SimNetwork.Node primary = net.primaryOfView(0);
    SimNetwork.Node backup = net.nodes.stream().filter(n -> n != primary && n != net.primaryOfView(1)).findFirst()
        .orElseThrow();
    net.crash(primary);
    net.crash(backup);
    net.runFor(2_000);
    long stuck = upHeight(net);
    net.runFor(45_000);
    assertThat(upHeight(net)).as("no view change gathers 4 of 5 before the wait").isEqualTo(stuck);
    assertThat(net.allUpReach(stuck + 1, 300_000)).isTrue();
    net.assertAgreement();
    for (SimNetwork.Node n : net.nodes) {
      if (n.up) {
        assertThat(n.replica.view()).isPositive();
      }
    }
  }

  @Test
  void aLaggingReplicaAcceptsEmergencyCertificatesDuringCatchUpAndStrictCommitsResume() {
    SimNetwork net = emergencyNet(33);
    net.startAll();
    assertThat(net.allUpReach(2, 60_000)).isTrue();
    List<SimNetwork.Node> backups = net.nodes.stream().filter(n -> n != net.primaryOfView(0)).toList();
    SimNetwork.Node lagger = backups.get(0);
    net.crash(lagger);
    net.crash(backups.get(1));
    net.runFor(2_000);
    long stuck = upHeight(net);
    assertThat(net.allUpReach(stuck + 2, 300_000)).isTrue();
    long target = upHeight(net);

    // It never saw those blocks: it fetches them and checks 3-signature certificates by the same rule.
    net.start(lagger);
    assertThat(net.allUpReach(target, 60_000)).isTrue();
    net.assertAgreement();
    for (long h = stuck + 1; h <= target; h++) {
      assertThat(lagger.chain.get(h)).as("height %d", h).isNotNull();
      assertThat(lagger.chain.get(h).cert().signers()).hasSize(3);
    }
    assertThat(lagger.rejected(RejectReason.INVALID_CERTIFICATE)).isZero();
    // With four up the strict quorum is back: blocks follow at once, not 60 s apart, with 4 signers.
    assertThat(net.allUpReach(target + 3, 30_000)).isTrue();
    net.assertAgreement();
    SimNetwork.Node any = net.nodes.stream().filter(n -> n.up).findFirst().orElseThrow();
    for (long h = target + 2; h <= target + 3; h++) {
      assertThat(gap(any, h)).isLessThan(E);
      assertThat(any.chain.get(h).cert().signers().size()).isGreaterThanOrEqualTo(4);
    }
  }

  @Test
  void aBlockDatedAnHourAheadToClaimTheEmergencyIsRefusedAndItsPrimaryReplaced() {
    SimNetwork net = emergencyNet(34);
    net.startAll();
    assertThat(net.allUpReach(2, 60_000)).isTrue();
    SimNetwork.Node liar = net.primaryOfView(net.nodes.get(0).replica.view());
    // From now on the primary dates each block E after its parent: with all five up that would let
    // three of them commit it (the majority), if the honest ones voted for a block from their future.
    net.forgedTimestamp = n -> n == liar ? net.committedTimestamp(n, n.height()) + E : null;
    long before = upHeight(net);
    assertThat(net.allUpReach(before + 3, 120_000)).isTrue();
    net.assertAgreement();
    long refusals = 0;
    for (SimNetwork.Node n : net.nodes) {
      if (n != liar) {
        refusals += n.rejected(RejectReason.INVALID_PAYLOAD);
        assertThat(n.replica.primary()).isNotEqualTo(liar.key);
      }
    }
    // Most honest replicas refused it themselves (one may have followed the others' view change first).
    assertThat(refusals).isGreaterThanOrEqualTo(3);
    // Nothing committed claims the gap: every block is dated within the skew of the clock, and
    // every certificate holds the strict four.
    SimNetwork.Node honest = net.nodes.stream().filter(n -> n != liar).findFirst().orElseThrow();
    for (Map.Entry<Long, SimNetwork.Stored> e : honest.chain.entrySet()) {
      assertThat(gap(honest, e.getKey())).as("height %d", e.getKey()).isLessThan(E);
      assertThat(e.getValue().cert().signers().size()).isGreaterThanOrEqualTo(4);
    }
  }

  @Test
  void withEveryoneUpTheRuleChangesNothing() {
    SimNetwork net = emergencyNet(35);
    net.startAll();
    assertThat(net.allUpReach(10, 120_000)).isTrue();
    net.assertAgreement();
    for (SimNetwork.Stored s : net.nodes.get(0).chain.values()) {
      assertThat(s.cert().signers().size()).isGreaterThanOrEqualTo(4);
    }
  }
}
