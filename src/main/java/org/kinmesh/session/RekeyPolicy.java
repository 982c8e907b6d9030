package org.kinmesh.session;

/**
 * When a session must be replaced (WireGuard's limits): the initiator starts a new handshake
 * after {@code rekeyAfterMillis} (2 minutes), the responder 15 s later if none came (so the two
 * do not race), either side after {@code rekeyAfterMessages}; after {@code rejectAfterMillis}
 * (3 minutes) or {@code rejectAfterMessages} the session neither sends nor accepts. A pure
 * decision: the caller passes the session's age from its own (injected) clock.
 */
public record RekeyPolicy(long rekeyAfterMillis, long responderGraceMillis, long rejectAfterMillis,
    long rekeyAfterMessages, long rejectAfterMessages) {

  /** WireGuard's: 120 s, 180 s, 2^60 messages, and 2^63 - 2^13 (the signed-counter bound). */
  public static final RekeyPolicy DEFAULT =
      new RekeyPolicy(120_000, 15_000, 180_000, 1L << 60, Long.MAX_VALUE - (1L << 13));

  public enum Decision {
    /** Keep using the session. */
    KEEP,
    /** Keep using it, and start a new handshake now. */
    REKEY,
    /** Stop: send nothing more with it, accept nothing more on it. */
    EXPIRED
  }

  public RekeyPolicy {
    if (rekeyAfterMillis <= 0 || responderGraceMillis < 0
        || rejectAfterMillis <= rekeyAfterMillis + responderGraceMillis) {
      throw new IllegalArgumentException("need 0 < rekeyAfter, and rekeyAfter + responderGrace < rejectAfter");
    }
    if (rekeyAfterMessages <= 0 || rejectAfterMessages <= rekeyAfterMessages) {
      throw new IllegalArgumentException("need 0 < rekeyAfterMessages < rejectAfterMessages");
    }
  }

  public Decision decide(boolean initiator, long ageMillis, long messagesSent) {
    if (ageMillis >= rejectAfterMillis || messagesSent >= rejectAfterMessages) {
      return Decision.EXPIRED;
    }
    long rekeyAt = initiator ? rekeyAfterMillis : rekeyAfterMillis + responderGraceMillis;
    if (ageMillis >= rekeyAt || messagesSent >= rekeyAfterMessages) {
      return Decision.REKEY;
    }
    return Decision.KEEP;
  }
}
