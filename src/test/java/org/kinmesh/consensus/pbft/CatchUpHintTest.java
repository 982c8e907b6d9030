package org.kinmesh.consensus.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When a replica that is behind asks for blocks (CatchUp.hint), pure. */
class CatchUpHintTest {
  private final Fixture fx = new Fixture();
  private final CatchUp catchUp = new CatchUp(SimNetwork.simConfig(),
      new EnvelopeSigner(SimNetwork.CHAIN, Signer.of(fx.self())));
  private final String peer = fx.ids.get(0).publicKeyHex();

  @Test
  void oneBlockBehindWaitsARetryIntervalForLateVotes() {
    List<Action> out = new ArrayList<>();
    catchUp.hint(peer, 1, 0, 0, out);
    assertThat(fetches(out)).isEmpty();
    assertThat(out).anyMatch(a -> a instanceof Action.StartTimer t && t.id().kind() == TimerId.Kind.FETCH);
  }

  @Test
  void theChainMovingOnDuringThatWaitFetchesAtOnce() {
    // A node that joins just after height 1 committed: the first votes it sees are for height 2
    // (one block behind: wait), then for height 3 and on. Those must not wait out the timer.
    List<Action> out = new ArrayList<>();
    catchUp.hint(peer, 1, 0, 0, out);
    out.clear();
    catchUp.hint(peer, 2, 0, 0, out);
    assertThat(fetches(out)).hasSize(1);
    Envelope.Fetch f = (Envelope.Fetch) ((Action.Send) fetches(out).get(0)).envelope();
    assertThat(f.height()).isEqualTo(1);
    // While that fetch is out, more hints ask nothing more.
    out.clear();
    catchUp.hint(peer, 3, 0, 0, out);
    assertThat(fetches(out)).isEmpty();
  }

  @Test
  void twoBlocksBehindFetchesAtOnce() {
    List<Action> out = new ArrayList<>();
    catchUp.hint(peer, 5, 0, 0, out);
    assertThat(fetches(out)).hasSize(1);
  }

  private static List<Action> fetches(List<Action> out) {
    return out.stream().filter(a -> a instanceof Action.Send s && s.envelope() instanceof Envelope.Fetch).toList();
  }
}
