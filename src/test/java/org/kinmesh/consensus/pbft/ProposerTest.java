package org.kinmesh.consensus.pbft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.kinmesh.crypto.Identity;

/** The primary asks for a block every block interval, and insists once the heartbeat is due. */
class ProposerTest {
  private final Fixture fx = new Fixture();
  private final Identity primary = fx.ids.get(0); // sorted first: primary of view 0
  private final PbftConfig config = SimNetwork.simConfig(); // block 100 ms, heartbeat 500 ms

  @Test
  void buildBlockBecomesMandatoryAtTheEmptyBlockInterval() {
    Replica r = new Replica(config, Signer.of(primary),
        Replica.Resume.genesis(SimNetwork.GENESIS, fx.membership));
    List<Action> out = Fixture.handle(r, new Event.Start());
    TimerId propose = new TimerId(TimerId.Kind.PROPOSE, 0, 1);
    assertThat(out).contains(new Action.StartTimer(propose, 100));
    for (int tick = 1; tick <= 5; tick++) {
      out = Fixture.handle(r, new Event.TimerFired(propose));
      Action.BuildBlock build = out.stream().filter(a -> a instanceof Action.BuildBlock)
          .map(a -> (Action.BuildBlock) a).findFirst().orElseThrow();
      // Ticks 1-4: only if transactions wait. Tick 5 = 500 ms: an empty heartbeat block is due.
      assertThat(build.mustPropose()).isEqualTo(tick == 5);
      assertThat(build.height()).isEqualTo(1);
    }
    byte[] payload = Fixture.payload("heartbeat");
    out = Fixture.handle(r, new Event.Propose(0, 1, payload, Fixture.digest(payload)));
    assertThat(out).anyMatch(a -> a instanceof Action.Broadcast b && b.envelope() instanceof Envelope.PrePrepare);
    assertThat(out).contains(new Action.CancelTimer(TimerId.Kind.PROPOSE));
    // A late second answer for the same height is ignored: one proposal per slot.
    out = Fixture.handle(r, new Event.Propose(0, 1, Fixture.payload("other"), Fixture.digest(Fixture.payload("other"))));
    assertThat(out).noneMatch(a -> a instanceof Action.Broadcast);
  }

  @Test
  void aBackupNeverAsksForBlocks() {
    List<Action> out = Fixture.handle(fx.replica(), new Event.TimerFired(new TimerId(TimerId.Kind.PROPOSE, 0, 1)));
    assertThat(out).noneMatch(a -> a instanceof Action.BuildBlock);
  }

  @Test
  void heartbeatBlocksKeepAnIdleNetworkCommitting() {
    SimNetwork net = new SimNetwork(4, 41);
    net.nodes.forEach(n -> n.transactionsWaiting = false);
    net.startAll();
    assertThat(net.allUpReach(5, 10_000)).isTrue();
    // Every block was an empty heartbeat, about one per 500 ms: no view change was needed.
    assertThat(net.nodes.get(0).chain.values()).allMatch(s -> new String(s.payload()).endsWith("empty"));
    assertThat(net.nodes).allMatch(n -> n.replica.view() == 0);
    assertThat(net.now).isGreaterThanOrEqualTo(5 * 500);
  }

  /**
   * A dead primary's transactions pile up during the view change; the host says so once, when the
   * mempool stops being empty, not again. The new primary must ask for a block as it installs the
   * view, not one block interval later (1 s of every dead-primary stall with the defaults).
   */
  @Test
  void aNewPrimaryWithTransactionsWaitingAsksForABlockAsItInstallsTheView() throws Exception {
    Identity next = fx.ids.get(1); // primary of view 1
    Replica r = new Replica(config, Signer.of(next),
        Replica.Resume.genesis(SimNetwork.GENESIS, fx.membership));
    Fixture.handle(r, new Event.Start());
    Fixture.handle(r, new Event.TransactionsWaiting());
    fx.deliver(r, viewChange(fx.ids.get(0)));
    List<Action> out = fx.deliver(r, viewChange(fx.ids.get(2))); // f + 1: joins, then holds a threshold
    assertThat(out).anyMatch(a -> a instanceof Action.Broadcast b && b.envelope() instanceof Envelope.NewView);
    assertThat(r.view()).isEqualTo(1);
    assertThat(r.inViewChange()).isFalse();
    assertThat(out).as("actions on installing view 1").contains(new Action.BuildBlock(1, 1, false));
  }

  private static Envelope.ViewChange viewChange(Identity by) {
    return EnvelopeCodecTest.sign(by, new Envelope.ViewChange(SimNetwork.CHAIN, 1, 1, null, null, null,
        by.publicKeyHex(), null));
  }
}
