package org.kinmesh.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.kinmesh.wire.gossip.Endpoint;
import org.kinmesh.wire.gossip.GossipDatagram;
import org.kinmesh.wire.gossip.Pull;

/**
 * Issue 13.6: a signed pull whose source address is spoofed must not make a node send the
 * victim much more than the pull itself. Measured on the pure engine: bytes of every datagram
 * answered to one pull from an address that never pulled before, over the pull's bytes.
 */
class GossipAmplificationTest {
  /** An address that never sent us anything: the victim of a reflection. */
  static final Endpoint VICTIM = new Endpoint("198.51.100.9", 4444);

  /** Bytes out / bytes in for one fresh signed pull by engine {@code signer} from VICTIM to engine 0. */
  static double spoofedPullRatio(EngineNet net, int signer) {
    byte[] pull = GossipEngine.encode(GossipDatagram.TYPE_PULL,
        Pull.sign(net.keys.get(signer), EngineNet.CHAIN, 0, net.clock.nowSeconds()).toJson());
    GossipEngine.Result r = net.e(0).onDatagram(VICTIM.ip(), VICTIM.port(), pull);
    assertThat(r.drop()).as("the pull itself is valid").isNull();
    long out = 0;
    for (GossipEngine.Outgoing o : r.replies()) {
      assertThat(o.to()).isEqualTo(VICTIM);
      out += o.data().length;
    }
    double ratio = (double) out / pull.length;
    System.out.printf("spoofed pull: %d B in, %d B out in %d datagram(s), %.2fx%n", pull.length, out,
        r.replies().size(), ratio);
    return ratio;
  }

  /** n engines, each having pushed its announce to every other. */
  static EngineNet meshOf(int n) {
    EngineNet net = new EngineNet(n);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        if (i != j) {
          assertThat(net.announceTo(i, j).drop()).isNull();
        }
      }
    }
    return net;
  }

  @Test
  void aSpoofedPullToFourNodesGetsAtMostTwiceItsBytesBack() {
    EngineNet net = meshOf(4);
    assertThat(net.e(0).store().size()).isEqualTo(4);
    assertThat(spoofedPullRatio(net, 1)).isLessThanOrEqualTo(2.0);
  }

  @Test
  void aSpoofedPullToAFullTableGetsAtMostTwiceItsBytesBack() {
    EngineNet net = new EngineNet(40);
    for (int i = 1; i < 40; i++) {
      net.announceTo(i, 0);
    }
    assertThat(spoofedPullRatio(net, 39)).isLessThanOrEqualTo(2.0);
  }

  @Test
  void aSpoofedPullOverAndOverGetsNoMoreThanTheFirst() {
    EngineNet net = meshOf(4);
    for (int k = 0; k < 20; k++) {
      net.clock.advanceSeconds(1);
      assertThat(spoofedPullRatio(net, 1 + k % 3)).isLessThanOrEqualTo(2.0);
    }
    assertThat(net.e(0).counters().get("pulls_answered")).isZero();
  }

  @Test
  void theVictimIsNeverVerifiedByAnEchoFromElsewhere() {
    EngineNet net = meshOf(4);
    // Engine 1 pulls for real and so gets engine 0's cookie for its own address; echoing it from
    // the victim's address does not help, the cookie is bound to the address it was given to.
    String forEngine1 = net.e(0).cookies().issue(EngineNet.endpoint(1));
    JsonObject p = Pull.sign(net.keys.get(1), EngineNet.CHAIN, 0, net.clock.nowSeconds()).toJson().put("cookie",
        forEngine1);
    GossipEngine.Result r = net.e(0).onDatagram(VICTIM.ip(), VICTIM.port(),
        GossipEngine.encode(GossipDatagram.TYPE_PULL, p));
    assertThat(r.replies()).hasSize(1);
    assertThat(r.replies().get(0).type()).isEqualTo(GossipDatagram.TYPE_COOKIE);
    assertThat(net.e(0).counters().get("pull_cookies_refused")).isEqualTo(1);
    assertThat(net.e(0).cookies().verifiedCount()).isZero();
  }

  @Test
  void genuinePullersStillGetEverythingAfterOneRoundTrip() {
    EngineNet net = meshOf(4);
    // Engine 2's newest version goes to engine 0 only: engine 1 can learn it only from a delta.
    net.clock.advanceSeconds(1);
    assertThat(net.announceTo(2, 0).drop()).isNull();
    net.clock.advanceSeconds(1);
    net.pull(1); // fanout 3: engines 0, 2 and 3
    GossipEngine e1 = net.e(1);
    assertThat(e1.counters().get("cookies_received")).isEqualTo(3);
    assertThat(e1.counters().get("pulls_completed")).isEqualTo(3);
    assertThat(e1.knownVer(net.key(2))).isEqualTo(net.e(2).ownVer());
    // The next rounds go straight to the answer: the cookie is echoed and the address is verified.
    for (int round = 0; round < 2; round++) {
      net.clock.advanceSeconds(1);
      net.pull(1);
    }
    assertThat(e1.counters().get("cookies_received")).isEqualTo(3);
    assertThat(e1.counters().get("pulls_completed")).isEqualTo(9);
    for (int j : new int[] {0, 2, 3}) {
      assertThat(net.e(j).counters().get("cookies_sent")).as("engine %d", j).isEqualTo(1);
      assertThat(net.e(j).counters().get("pulls_answered")).as("engine %d", j).isEqualTo(3);
    }
  }
}
