package org.kinmesh.node.link.udp;

import org.kinmesh.crypto.Ed25519;
import org.kinmesh.crypto.Hex;
import org.kinmesh.crypto.Identity;
import org.kinmesh.util.TokenBucket;
import org.kinmesh.util.TimeSource;
import org.kinmesh.wire.Canonical;
import org.kinmesh.wire.MessageTag;

/**
 * Signs our OPEN frames and checks the peer's, for one UDP path (pure; wall clock injected).
 * An OPEN binds the new session id to the blockchain and both keys, with a fresh timestamp:
 *
 * <pre>
 * M = "kinmesh-link-open-v1" \n blockchain_id \n from \n to \n session (16 lowercase hex) \n ts
 * </pre>
 *
 * Until the encryption issue authenticates every frame, this is what stops a spoofed frame from
 * replacing a live stream. Verifying costs one Ed25519 check (~80 µs), so checks of opens are
 * limited per path (= per source address): {@link #CHECKS_PER_SEC}, bursts of {@link #CHECK_BURST},
 * under 1 % of a core per path. A spoofer must send more junk OPENs than that (over 8 KB/s from
 * the peer's address) before it can delay the peer's real OPEN, which is resent until acknowledged.
 */
public final class SessionAuth {
  public static final long FRESHNESS_SECS = 300;
  public static final int CHECKS_PER_SEC = 100;
  public static final int CHECK_BURST = 100;
  /** Our OPEN is signed once per session and re-signed when this old, well inside the peer's window. */
  static final long RESIGN_SECS = 60;

  public enum Verdict { OK, RATE_LIMITED, STALE, INVALID_SIGNATURE }

  private final Identity me;
  private final String blockchainId;
  private final String peer;
  private final TimeSource clock;
  private final TokenBucket checks;
  private LinkFrame.Open lastOpen;

  public SessionAuth(Identity me, String blockchainId, String peer, TimeSource clock) {
    this.me = me;
    this.blockchainId = blockchainId;
    this.peer = peer;
    this.clock = clock;
    this.checks = new TokenBucket(CHECKS_PER_SEC, CHECK_BURST, clock);
  }

  public static byte[] canonical(String blockchainId, String from, String to, long session, long ts) {
    return Canonical.message(MessageTag.LINK_OPEN, blockchainId, from, to, String.format("%016x", session), ts);
  }

  /** Our signed OPEN for our stream {@code session}, stamped now. */
  public LinkFrame.Open open(long session) {
    long ts = clock.nowSeconds();
    if (lastOpen == null || lastOpen.session() != session || ts - lastOpen.ts() >= RESIGN_SECS) {
      byte[] sig = Hex.decode(me.sign(canonical(blockchainId, me.publicKeyHex(), peer, session, ts)));
      lastOpen = new LinkFrame.Open(session, ts, sig);
    }
    return lastOpen;
  }

  /** Whether the peer really opened {@code o.session()}: within the check rate, fresh, signed by the peer's key. */
  public Verdict check(LinkFrame.Open o) {
    if (!checks.tryTake()) {
      return Verdict.RATE_LIMITED;
    }
    if (Math.abs(clock.nowSeconds() - o.ts()) > FRESHNESS_SECS) {
      return Verdict.STALE;
    }
    byte[] m = canonical(blockchainId, peer, me.publicKeyHex(), o.session(), o.ts());
    return Ed25519.verify(Hex.decode(peer), o.sig(), m) ? Verdict.OK : Verdict.INVALID_SIGNATURE;
  }
}
