package org.kinmesh.consensus.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.kinmesh.crypto.Ed25519;
import org.kinmesh.crypto.Hex;
import org.junit.jupiter.api.Test;

class EquivocationTest {
  @Test
  void twoPrePreparesForOneSlotAreReportedAndThePrimaryIsReplaced() {
    SimNetwork net = new SimNetwork(4, 7);
    SimNetwork.Node liar = net.primaryOfView(0);
    for (SimNetwork.Node n : net.nodes) {
      if (n != liar) {
        net.start(n);
      }
    }
    PrePreparePair pair = new PrePreparePair(liar, 0, 1);
    for (SimNetwork.Node n : net.nodes) {
      if (n != liar) {
        net.send(n, pair.first);
        net.send(n, pair.second);
      }
    }
    assertThat(net.allUpReach(3, 120_000)).isTrue();
    net.assertAgreement();
    for (SimNetwork.Node n : net.nodes) {
      if (n == liar) {
        continue;
      }
      assertThat(n.equivocations).isNotEmpty();
      Action.ReportEquivocation report = n.equivocations.get(0);
      assertThat(report.sender()).isEqualTo(liar.key);
      assertThat(report.first().digest()).isNotEqualTo(report.second().digest());
      // The evidence verifies on its own: both are signed by the reported key for the same slot.
      assertThat(report.first().signatureValid()).isTrue();
      assertThat(report.second().signatureValid()).isTrue();
      assertThat(report.first().view()).isEqualTo(report.second().view());
      assertThat(report.first().height()).isEqualTo(report.second().height());
      assertThat(n.rejected(RejectReason.EQUIVOCATION)).isGreaterThanOrEqualTo(1);
      assertThat(n.replica.view()).isGreaterThanOrEqualTo(1);
      assertThat(n.replica.primary()).isNotEqualTo(liar.key);
    }
  }

  /** Two signed proposals for one (view, height) with different blocks. */
  static final class PrePreparePair {
    final Envelope.PrePrepare first;
    final Envelope.PrePrepare second;

    PrePreparePair(SimNetwork.Node by, long view, long height) {
      first = sign(by, view, height, "block A");
      second = sign(by, view, height, "block B");
    }

    static Envelope.PrePrepare sign(SimNetwork.Node by, long view, long height, String body) {
      byte[] payload = body.getBytes(StandardCharsets.UTF_8);
      String digest = Hex.encode(Ed25519.sha256(payload));
      Envelope.PrePrepare pp = new Envelope.PrePrepare(SimNetwork.CHAIN, view, height, digest, payload, by.key, null);
      return new Envelope.PrePrepare(SimNetwork.CHAIN, view, height, digest, payload, by.key,
          by.identity.sign(pp.canonical()));
    }
  }
}
