package org.kinmesh.punch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.kinmesh.crypto.Identity;
import org.kinmesh.punch.ProbeCheck.Verdict;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.wire.WireException;
import org.kinmesh.wire.gossip.Endpoint;

class PunchTest {
  private static final String CHAIN = "family";
  private static final String G = "ab".repeat(32);
  private static final long NOW = 1_800_000_000L;
  private final Identity a = TestKeys.key(1);
  private final Identity b = TestKeys.key(2);
  private final Identity c = TestKeys.key(3);
  private final Set<String> authorized = Set.of(a.publicKeyHex(), b.publicKeyHex());
  private final Endpoint bPublic = new Endpoint("198.51.100.7", 7070);
  private final Endpoint bReflexive = new Endpoint("198.51.100.7", 40123);

  private static PunchAttempt attempt(String peer, List<Endpoint> candidates, long now,
      java.util.function.Supplier<String> nonces) {
    return new PunchAttempt(peer, candidates, now, nonces, new SplittableRandom(42));
  }

  private static String hex16(int i) {
    return String.format("%032x", i);
  }

  @Test
  void probesAndRepliesRoundTripAndVerify() throws WireException {
    Probe p = Probe.probe(a, CHAIN, G, b.publicKeyHex(), hex16(1), NOW);
    Probe parsed = Probe.parse(p.encode());
    assertEquals(p, parsed);
    assertTrue(parsed.signatureValid());
    Probe r = Probe.reply(b, CHAIN, G, a.publicKeyHex(), hex16(2), hex16(1),
        new Endpoint("203.0.113.9", 5000), NOW);
    Probe parsedReply = Probe.parse(r.encode());
    assertEquals(r, parsedReply);
    assertTrue(parsedReply.signatureValid());
    assertTrue(r.encode().length() < Probe.MAX_BYTES);
  }

  @Test
  void aProbeSignatureDoesNotVerifyAsAReplyNorAfterAnyFieldChanges() {
    Probe p = Probe.probe(a, CHAIN, G, b.publicKeyHex(), hex16(1), NOW);
    assertFalse(new Probe(true, CHAIN, G, p.from(), p.to(), p.nonce(), "", "", p.ts(), p.sig()).signatureValid(),
        "a probe's signature is not a reply's");
    assertFalse(new Probe(false, CHAIN, G, p.from(), p.to(), hex16(2), "", "", p.ts(), p.sig()).signatureValid());
    Probe r = Probe.reply(b, CHAIN, G, a.publicKeyHex(), hex16(2), hex16(1), bPublic, NOW);
    assertFalse(new Probe(true, CHAIN, G, r.from(), r.to(), r.nonce(), r.echo(), "192.0.2.66:1", r.ts(),
        r.sig()).signatureValid(), "a third party cannot point the observed address elsewhere");
  }

  @Test
  void malformedDatagramsAreRefused() {
    Buffer good = Probe.probe(a, CHAIN, G, b.publicKeyHex(), hex16(1), NOW).encode();
    Buffer wrongType = good.copy();
    wrongType.setByte(2, (byte) Probe.TYPE_REPLY);
    assertThrows(WireException.class, () -> Probe.parse(wrongType), "type byte and field disagree");
    assertThrows(WireException.class, () -> Probe.parse(good.getBuffer(0, good.length() - 2)), "cut JSON");
    assertThrows(WireException.class, () -> Probe.parse(Buffer.buffer(new byte[Probe.MAX_BYTES + 1])));
    String json = good.getString(3, good.length());
    assertThrows(WireException.class, () -> Probe.parse(Buffer.buffer(new byte[] {0x4B, 1, 0x10})
        .appendString(json.replaceFirst("\"nonce\":\"[0-9a-f]+\"", "\"nonce\":\"ab\""))));
    assertThrows(WireException.class, () -> Probe.parse(Buffer.buffer(new byte[] {0x4B, 1, 0x10})
        .appendString(json.replace("{", "{\"from\":\"x\","))), "duplicate key");
  }

  @Test
  void checksRejectEachBadCaseWithItsReason() {
    ProbeCheck atB = new ProbeCheck(CHAIN, G, b.publicKeyHex());
    Probe good = Probe.probe(a, CHAIN, G, b.publicKeyHex(), hex16(1), NOW);
    assertEquals(Verdict.OK, atB.check(good, authorized, NOW + 299));
    assertEquals(Verdict.STALE, atB.check(good, authorized, NOW + 301));
    assertEquals(Verdict.STALE, atB.check(good, authorized, NOW - 301));
    assertEquals(Verdict.WRONG_BLOCKCHAIN,
        atB.check(Probe.probe(a, "other", G, b.publicKeyHex(), hex16(1), NOW), authorized, NOW));
    assertEquals(Verdict.NOT_FOR_US,
        atB.check(Probe.probe(a, CHAIN, G, c.publicKeyHex(), hex16(1), NOW), authorized, NOW));
    assertEquals(Verdict.SELF,
        atB.check(Probe.probe(b, CHAIN, G, b.publicKeyHex(), hex16(1), NOW), authorized, NOW));
    assertEquals(Verdict.UNAUTHORIZED,
        atB.check(Probe.probe(c, CHAIN, G, b.publicKeyHex(), hex16(1), NOW), authorized, NOW));
    Probe forged = new Probe(false, CHAIN, G, a.publicKeyHex(), b.publicKeyHex(), hex16(1), "", "",
        NOW, c.sign(good.canonical()));
    assertEquals(Verdict.INVALID_SIGNATURE, atB.check(forged, authorized, NOW));
  }

  @Test
  void aProbeOfAnotherGenesisIsRefusedByNameAndItsGenesisIsSigned() {
    // Issue 12.5: the punched UDP path is refused to a node of another genesis, as the TCP hello is.
    ProbeCheck atB = new ProbeCheck(CHAIN, G, b.publicKeyHex());
    Probe theirs = Probe.probe(a, CHAIN, "cd".repeat(32), b.publicKeyHex(), hex16(1), NOW);
    assertEquals(Verdict.GENESIS_MISMATCH, atB.check(theirs, authorized, NOW));
    Probe edited = new Probe(false, CHAIN, G, theirs.from(), theirs.to(), theirs.nonce(), "", "", NOW, theirs.sig());
    assertEquals(Verdict.INVALID_SIGNATURE, atB.check(edited, authorized, NOW));
  }

  @Test
  void aRoundProbesEveryCandidateWithFreshNoncesThenBacksOff() {
    AtomicInteger n = new AtomicInteger();
    PunchAttempt attempt = attempt(b.publicKeyHex(), List.of(bPublic, new Endpoint("10.0.0.2", 7070)), 0,
        () -> hex16(n.incrementAndGet()));
    List<PunchAttempt.Outgoing> first = attempt.round(0);
    assertEquals(2, first.size());
    assertTrue(attempt.round(50).isEmpty(), "not due yet");
    assertEquals(PunchAttempt.QUICK_INTERVAL_MS, attempt.nextRoundAt());
    List<PunchAttempt.Outgoing> second = attempt.round(100);
    assertFalse(first.get(0).nonce().equals(second.get(0).nonce()));
    long t = 100;
    while (attempt.rounds() < PunchAttempt.QUICK_ROUNDS) {
      t = attempt.nextRoundAt();
      attempt.round(t);
    }
    assertBetween(800, 1_200, attempt.nextRoundAt() - t, "then one second, jittered");
    for (int i = 0; i < 10; i++) {
      t = attempt.nextRoundAt();
      attempt.round(t);
    }
    assertBetween(8_000, 12_000, attempt.nextRoundAt() - t, "capped at ten seconds, jittered");
    attempt.hurry(t + 5);
    assertEquals(t + 5, attempt.nextRoundAt(), "a call-me makes the next round due now");
  }

  @Test
  void aReplyToOurNonceOpensThePathAtItsActualSource() {
    AtomicInteger n = new AtomicInteger();
    PunchAttempt attempt = attempt(b.publicKeyHex(), List.of(bPublic), 0, () -> hex16(n.incrementAndGet()));
    String nonce = attempt.round(1_000).get(0).nonce();
    Probe reply = Probe.reply(b, CHAIN, G, a.publicKeyHex(), hex16(99), nonce,
        new Endpoint("203.0.113.5", 6000), NOW);
    var success = attempt.onReply(reply, bReflexive, 1_040).orElseThrow();
    assertEquals(bReflexive, success.endpoint(), "symmetric NAT: the reply came from another port");
    assertEquals(40, success.rttMillis());
    assertEquals("203.0.113.5:6000", success.observedSelf());
    assertTrue(attempt.candidates().contains(bReflexive));
    assertTrue(attempt.onReply(reply, bReflexive, 1_050).isEmpty(), "a nonce opens a path once");
  }

  @Test
  void aConfirmationOfOurReplysNonceOpensThePathWithoutProbingAndAsksForNoFurtherConfirmation() {
    // Issue 13.6: a probe from a non-candidate address is answered by one reply only; its nonce
    // is opened by the peer's confirming reply, which itself needs no answer (no ping-pong).
    AtomicInteger n = new AtomicInteger();
    PunchAttempt attempt = attempt(b.publicKeyHex(), List.of(bPublic), 0, () -> hex16(n.incrementAndGet()));
    String ours = hex16(777);
    attempt.expectConfirmation(bReflexive, ours, 500);
    assertFalse(attempt.candidates().contains(bReflexive), "an unverified source is not probed in rounds");
    Probe confirmation = Probe.reply(b, CHAIN, G, a.publicKeyHex(), hex16(98), ours, bReflexive, NOW);
    var success = attempt.onReply(confirmation, bReflexive, 530).orElseThrow();
    assertEquals(bReflexive, success.endpoint());
    assertEquals(30, success.rttMillis());
    assertFalse(success.confirm(), "a confirmation is not confirmed again");
    String probed = attempt.round(1_000).get(0).nonce();
    Probe reply = Probe.reply(b, CHAIN, G, a.publicKeyHex(), hex16(99), probed, bPublic, NOW);
    assertTrue(attempt.onReply(reply, bPublic, 1_010).orElseThrow().confirm(),
        "a reply to our probe carries the peer's nonce, which waits for our confirmation");
  }

  @Test
  void repliesThatDoNotAnswerALiveNonceOpenNothing() {
    AtomicInteger n = new AtomicInteger();
    PunchAttempt attempt = attempt(b.publicKeyHex(), List.of(bPublic), 0, () -> hex16(n.incrementAndGet()));
    String nonce = attempt.round(0).get(0).nonce();
    Probe unknown = Probe.reply(b, CHAIN, G, a.publicKeyHex(), hex16(99), hex16(12345), bPublic, NOW);
    assertTrue(attempt.onReply(unknown, bPublic, 10).isEmpty());
    Probe fromOther = Probe.reply(c, CHAIN, G, a.publicKeyHex(), hex16(99), nonce, bPublic, NOW);
    assertTrue(attempt.onReply(fromOther, bPublic, 10).isEmpty(), "another key cannot answer for the peer");
    Probe late = Probe.reply(b, CHAIN, G, a.publicKeyHex(), hex16(99), nonce, bPublic, NOW);
    assertTrue(attempt.onReply(late, bPublic, PunchAttempt.NONCE_LIFETIME_MS + 1).isEmpty(), "expired nonce");
  }

  @Test
  void candidatesAreBoundedOldestFirst() {
    PunchAttempt attempt = attempt(b.publicKeyHex(), List.of(), 0, () -> hex16(1));
    for (int i = 0; i < PunchAttempt.MAX_CANDIDATES + 3; i++) {
      attempt.addCandidate(new Endpoint("198.51.100.1", 1000 + i));
    }
    assertEquals(PunchAttempt.MAX_CANDIDATES, attempt.candidates().size());
    assertFalse(attempt.candidates().contains(new Endpoint("198.51.100.1", 1000)));
    assertFalse(attempt.addCandidate(new Endpoint("198.51.100.1", 1005)), "already there");
  }

  @Test
  void quickRoundsAreExactAndBackOffRoundsJitterAroundTheirStep() {
    SplittableRandom random = new SplittableRandom(7);
    for (int r = 0; r < PunchAttempt.QUICK_ROUNDS; r++) {
      assertEquals(PunchAttempt.QUICK_INTERVAL_MS, PunchAttempt.delayAfter(r, random), "quick round " + r);
    }
    long[] steps = {1_000, 2_000, 4_000, 8_000, 10_000, 10_000, 10_000};
    for (int i = 0; i < steps.length; i++) {
      assertEquals(steps[i], PunchAttempt.stepAfter(PunchAttempt.QUICK_ROUNDS + i));
    }
    Set<Long> seen = new java.util.HashSet<>();
    for (int i = 0; i < 1_000; i++) {
      long d = PunchAttempt.delayAfter(PunchAttempt.QUICK_ROUNDS + 20, random);
      assertBetween(8_000, 12_000, d, "± 20 % of the 10 s cap");
      seen.add(d);
    }
    assertTrue(seen.size() > 100, "the delays spread: " + seen.size() + " distinct in 1000");
    assertTrue(seen.stream().anyMatch(d -> d < 10_000) && seen.stream().anyMatch(d -> d > 10_000), "on both sides");
  }

  @Test
  void aSeededAttemptReplaysItsScheduleAndAnotherSeedDoesNot() {
    List<Long> one = schedule(new SplittableRandom(3));
    assertEquals(one, schedule(new SplittableRandom(3)), "same seed, same rounds");
    assertEquals(schedule(new SplittableRandom(4)).subList(0, PunchAttempt.QUICK_ROUNDS),
        one.subList(0, PunchAttempt.QUICK_ROUNDS), "quick rounds do not depend on the seed");
    assertFalse(one.equals(schedule(new SplittableRandom(4))), "back-off rounds do");
  }

  @Test
  void anAttemptNeedsItsRandomness() {
    assertThrows(NullPointerException.class, () -> new PunchAttempt(b.publicKeyHex(), List.of(), 0, () -> hex16(1), null));
  }

  /** When the first 40 rounds of an attempt run, each at the moment it falls due. */
  private List<Long> schedule(SplittableRandom random) {
    PunchAttempt a = new PunchAttempt(b.publicKeyHex(), List.of(bPublic), 0, () -> hex16(1), random);
    List<Long> at = new java.util.ArrayList<>();
    for (int i = 0; i < 40; i++) {
      long t = a.nextRoundAt();
      at.add(t);
      a.round(t);
    }
    return at;
  }

  private static void assertBetween(long min, long max, long actual, String what) {
    assertTrue(actual >= min && actual <= max, what + ": " + actual + " not in [" + min + ", " + max + "]");
  }
}
