package org.kinmesh.session;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.kinmesh.crypto.Identity;

/** Nodes of a test chain: real identities, keys and clocks (a settable wall clock). */
final class SessionFixture {
  static final ChainBinding CHAIN = ChainBinding.of("family", "11".repeat(32));

  final AtomicLong wallClock = new AtomicLong(1_765_000_000_000L);
  final Identity alice = Identity.generate();
  final Identity bob = Identity.generate();
  final Identity mallory = Identity.generate(); // never a member
  final Members members = Members.of(List.of(alice.publicKeyHex(), bob.publicKeyHex()));

  SessionKeys keys(Identity who) {
    return keys(who, CHAIN, members);
  }

  SessionKeys keys(Identity who, ChainBinding chain, Members set) {
    return SessionKeys.of(who, chain, set, wallClock::get);
  }

  /** Runs a whole handshake; returns {initiator's session, responder's session}. */
  static TransportSession[] run(SessionHandshake init, SessionHandshake resp) throws HandshakeRefusedException {
    while (!init.isComplete() || !resp.isComplete()) {
      if (init.isMyTurn()) {
        resp.read(init.write());
      } else {
        init.read(resp.write());
      }
    }
    return new TransportSession[] {init.established(0), resp.established(0)};
  }
}
