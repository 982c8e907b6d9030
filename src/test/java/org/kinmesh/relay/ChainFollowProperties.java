package org.kinmesh.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.kinmesh.chain.Block;
import org.kinmesh.chain.GovernanceState;
import org.kinmesh.consensus.Quorums;
import org.kinmesh.crypto.Identity;
import org.kinmesh.testing.CertifiedChain;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.wire.ErrorCode;
import org.kinmesh.wire.WireException;

/** The pure core of following a chain: a block passes exactly when a quorum of its voters signed it. */
class ChainFollowProperties {

  @Property(tries = 60)
  void aBlockIsTakenExactlyWhenAQuorumOfTheVotersSignedIt(@ForAll @IntRange(min = 1, max = 7) int n,
      @ForAll @IntRange(min = 0, max = 127) int signerMask, @ForAll @IntRange(min = 0, max = 3) int outsiders)
      throws Exception {
    List<Identity> nodes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      nodes.add(TestKeys.key(200 + i));
    }
    CertifiedChain chain = new CertifiedChain("prop", TestKeys.key(199), nodes);
    GovernanceState g = ChainFollow.start("prop", chain.genesis().hash(), chain.genesis());
    List<Identity> signers = new ArrayList<>();
    int members = 0;
    for (int i = 0; i < n; i++) {
      if ((signerMask & (1 << i)) != 0) {
        signers.add(nodes.get(i));
        members++;
      }
    }
    for (int i = 0; i < outsiders; i++) {
      signers.add(TestKeys.key(300 + i)); // valid signatures of keys that are not voters
    }
    Block b = CertifiedChain.certify(chain.next(5), signers, 0);
    boolean enough = members >= Quorums.q(n);
    if (enough && outsiders == 0) {
      assertThat(ChainFollow.next(g, b).height()).isEqualTo(1);
    } else {
      assertThatThrownBy(() -> ChainFollow.next(g, b)).isInstanceOf(WireException.class)
          .satisfies(e -> assertThat(((WireException) e).code()).isEqualTo(ErrorCode.UNAUTHORIZED));
    }
  }
}
