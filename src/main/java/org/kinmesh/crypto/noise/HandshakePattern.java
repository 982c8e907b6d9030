package org.kinmesh.crypto.noise;

import java.util.List;

/**
 * The interactive patterns kinmesh uses (spec §7.5): IK when the initiator knows the
 * responder's static key (always, from the chain), XX when it does not; IX for the test vectors.
 */
public enum HandshakePattern {
  /** {@code <- s ... -> e, es, s, ss  <- e, ee, se}. */
  IK(true, List.of(
      List.of(Token.E, Token.ES, Token.S, Token.SS),
      List.of(Token.E, Token.EE, Token.SE))),
  /** {@code -> e  <- e, ee, s, es  -> s, se}. */
  XX(false, List.of(
      List.of(Token.E),
      List.of(Token.E, Token.EE, Token.S, Token.ES),
      List.of(Token.S, Token.SE))),
  /** {@code -> e, s  <- e, ee, se, s, es}. */
  IX(false, List.of(
      List.of(Token.E, Token.S),
      List.of(Token.E, Token.EE, Token.SE, Token.S, Token.ES)));

  enum Token { E, S, EE, ES, SE, SS }

  private final boolean responderStaticKnown;
  private final List<List<Token>> messages;

  HandshakePattern(boolean responderStaticKnown, List<List<Token>> messages) {
    this.responderStaticKnown = responderStaticKnown;
    this.messages = messages;
  }

  /** Whether the pattern has the pre-message {@code <- s}. */
  public boolean responderStaticKnown() {
    return responderStaticKnown;
  }

  List<List<Token>> messages() {
    return messages;
  }

  public int messageCount() {
    return messages.size();
  }

  /** {@code Noise_IK_25519_ChaChaPoly_SHA256} and the like. */
  public String protocolName(NoiseHash hash) {
    return "Noise_" + name() + "_25519_ChaChaPoly_" + hash.noiseName();
  }
}
