package org.kinmesh.node.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.kinmesh.node.link.PathKind.DIRECT_TCP;
import static org.kinmesh.node.link.PathKind.DIRECT_UDP;
import static org.kinmesh.node.link.PathKind.NONE;
import static org.kinmesh.node.link.PathKind.RELAYED;

import org.junit.jupiter.api.Test;

class PathSelectorTest {
  @Test
  void theFirstWorkingPathIsTakenAtOnce() {
    PathSelector s = new PathSelector(PathPolicy.AUTO);
    assertEquals(NONE, s.choose(0));
    s.up(DIRECT_UDP, 100);
    assertEquals(DIRECT_UDP, s.choose(100), "no hold when nothing is in use");
    assertEquals("direct path open", s.reason());
  }

  @Test
  void aSilentDirectPathMovesTrafficToTheRelayAfterTwoMissedHeartbeats() {
    PathSelector s = new PathSelector(PathPolicy.AUTO);
    s.up(RELAYED, 0);
    s.up(DIRECT_UDP, 0);
    assertEquals(DIRECT_UDP, s.choose(0));
    s.heard(DIRECT_UDP, 3_000, 4);
    assertEquals(DIRECT_UDP, s.choose(3_000 + PathSelector.DIRECT_SILENCE_MS), "trusted up to the limit");
    assertEquals(RELAYED, s.choose(3_001 + PathSelector.DIRECT_SILENCE_MS));
    assertEquals("direct_udp silent or failed", s.reason());
    assertEquals(3_001 + PathSelector.DIRECT_SILENCE_MS, s.nextSilenceDeadline());
  }

  @Test
  void aFailedDirectPathMovesAtOnceAndComesBackOnlyAfterTheHold() {
    PathSelector s = new PathSelector(PathPolicy.AUTO);
    s.up(RELAYED, 0);
    s.up(DIRECT_UDP, 0);
    s.choose(0);
    s.down(DIRECT_UDP, 1_000);
    assertEquals(RELAYED, s.choose(1_000));
    s.up(DIRECT_UDP, 2_000); // a new punch succeeds right away
    assertEquals(RELAYED, s.choose(3_500), "inside the flap hold");
    s.heard(DIRECT_UDP, 10_900, 3);
    assertEquals(RELAYED, s.choose(10_999));
    assertEquals(DIRECT_UDP, s.choose(11_000), "steady and past the hold");
    assertEquals("direct path steady again", s.reason());
  }

  @Test
  void aFlappingDirectPathDoesNotDragTrafficBackAndForth() {
    PathSelector s = new PathSelector(PathPolicy.AUTO);
    s.up(RELAYED, 0);
    s.up(DIRECT_UDP, 0);
    s.choose(0);
    int switches = 0;
    PathKind last = s.active();
    for (long t = 0; t < 60_000; t += 500) {
      if ((t / 1_500) % 2 == 0) {
        s.up(DIRECT_UDP, t);
      } else {
        s.down(DIRECT_UDP, t);
      }
      PathKind now = s.choose(t);
      if (now != last) {
        switches++;
        last = now;
      }
    }
    assertTrue(switches <= 2 * 60_000 / PathSelector.FLAP_HOLD_MS + 1, "switches: " + switches);
  }

  @Test
  void udpIsPreferredOverTcpOnceSteady() {
    PathSelector s = new PathSelector(PathPolicy.AUTO);
    s.up(DIRECT_TCP, 0);
    assertEquals(DIRECT_TCP, s.choose(0));
    s.up(DIRECT_UDP, 100);
    assertEquals(DIRECT_TCP, s.choose(500));
    s.heard(DIRECT_TCP, 1_100, -1);
    assertEquals(DIRECT_UDP, s.choose(1_100));
  }

  @Test
  void forceRelayNeverUsesDirectPaths() {
    PathSelector s = new PathSelector(PathPolicy.FORCE_RELAY);
    s.up(DIRECT_UDP, 0);
    assertEquals(NONE, s.choose(0));
    s.up(RELAYED, 10);
    assertEquals(RELAYED, s.choose(10));
    assertEquals("force_relay policy", s.reason());
  }

  @Test
  void aPeerThatForcesRelayLeavesItsDirectPathsAtOnce() {
    // Issue 12.7: our policy is auto, the peer's is force_relay; its TCP link was in use.
    PathSelector s = new PathSelector(PathPolicy.AUTO);
    s.up(DIRECT_TCP, 0);
    s.up(RELAYED, 0);
    assertEquals(DIRECT_TCP, s.choose(0));
    s.peerForcesRelay();
    assertEquals(RELAYED, s.choose(1));
    assertEquals("peer_force_relay", s.reason());
    s.up(DIRECT_UDP, 2);
    assertEquals(RELAYED, s.choose(20_000));
    s.down(RELAYED, 20_001);
    assertEquals(NONE, s.choose(20_001));
    assertEquals("peer_force_relay and no relayed path", s.reason());
  }

  @Test
  void directOnlyNeverUsesTheRelay() {
    PathSelector s = new PathSelector(PathPolicy.DIRECT_ONLY);
    s.up(RELAYED, 0);
    assertEquals(NONE, s.choose(0));
    assertEquals("direct_only policy and no direct path", s.reason());
    s.up(DIRECT_TCP, 5);
    assertEquals(DIRECT_TCP, s.choose(5));
  }

  @Test
  void bothPoliciesAtOnceAreRefused() {
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> PathPolicy.of(true, true));
    assertEquals(PathPolicy.AUTO, PathPolicy.of(false, false));
  }
}
