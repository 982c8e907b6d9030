package org.kinmesh.stun;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.kinmesh.stun.SimLab.NatKind;
import org.kinmesh.stun.SimLab.Server;
import org.kinmesh.wire.gossip.NatType;

/** The probe against simulated NATs and servers, on a simulated clock. */
class NatProbeTest {
  private static final Server RFC5780 = Server.rfc5780("192.0.2.1", "192.0.2.2");
  private static final Server PLAIN_A = Server.plain("203.0.113.10");
  private static final Server PLAIN_B = Server.plain("203.0.113.20");

  private static NatProbe probe(SimLab lab) {
    return new NatProbe(lab.stunServers(), lab.localAddresses(), SimLab.HOST.getPort(), ProbeSettings.DEFAULT);
  }

  @Test
  void classifiesEveryNatKindAgainstAnRfc5780Server() {
    record Case(NatKind nat, NatType type, MappingBehavior mapping, FilteringBehavior filtering) {}
    List<Case> cases = List.of(
        new Case(NatKind.NONE, NatType.OPEN, MappingBehavior.NONE, FilteringBehavior.UNKNOWN),
        new Case(NatKind.FULL_CONE, NatType.FULL_CONE, MappingBehavior.ENDPOINT_INDEPENDENT,
            FilteringBehavior.ENDPOINT_INDEPENDENT),
        new Case(NatKind.RESTRICTED, NatType.RESTRICTED, MappingBehavior.ENDPOINT_INDEPENDENT,
            FilteringBehavior.ADDRESS_DEPENDENT),
        new Case(NatKind.PORT_RESTRICTED, NatType.PORT_RESTRICTED, MappingBehavior.ENDPOINT_INDEPENDENT,
            FilteringBehavior.ADDRESS_AND_PORT_DEPENDENT),
        new Case(NatKind.SYMMETRIC, NatType.SYMMETRIC, MappingBehavior.ADDRESS_AND_PORT_DEPENDENT,
            FilteringBehavior.ADDRESS_AND_PORT_DEPENDENT));
    for (Case c : cases) {
      SimLab lab = new SimLab(c.nat(), RFC5780);
      ProbeResult r = lab.run(probe(lab));
      assertThat(r.classification()).as(c.nat().name())
          .isEqualTo(new NatClassifier.Classification(c.type(), c.mapping(), c.filtering()));
      assertThat(r.publicEndpoint()).as(c.nat().name()).isEqualTo(c.nat() == NatKind.NONE ? SimLab.HOST
          : new InetSocketAddress(SimLab.PUBLIC_IP, 40000));
      assertThat(r.server()).isEqualTo("sim-" + RFC5780.primary());
    }
  }

  @Test
  void aFullClassificationTakesOneFilterWaitWhenTheNatFilters() {
    SimLab open = new SimLab(NatKind.FULL_CONE, RFC5780);
    long t0 = open.now;
    ProbeResult fast = open.run(probe(open));
    // test I, both filtering answers, test II: three round trips of 5 ms; test III is cancelled
    assertThat(fast.elapsedMillis()).isEqualTo(15);
    assertThat(open.now - t0).isEqualTo(15);

    SimLab strict = new SimLab(NatKind.PORT_RESTRICTED, RFC5780);
    ProbeResult slow = strict.run(probe(strict));
    // test I (5 ms), the filtering tests go unanswered for 150 ms (8 x 5 ms < the 150 ms floor), test II (5 ms)
    assertThat(slow.elapsedMillis()).isEqualTo(5 + 150 + 5);
  }

  @Test
  void withoutOtherAddressComparesTwoServersOnDifferentIps() {
    SimLab cone = new SimLab(NatKind.PORT_RESTRICTED, PLAIN_A, PLAIN_B);
    ProbeResult c = cone.run(probe(cone));
    assertThat(c.natType()).isEqualTo(NatType.UNKNOWN);
    assertThat(c.classification().mapping()).isEqualTo(MappingBehavior.ENDPOINT_INDEPENDENT);
    assertThat(c.servers()).extracting(ServerOutcome::ok).containsExactly(true, true);

    SimLab sym = new SimLab(NatKind.SYMMETRIC, PLAIN_A, PLAIN_B);
    ProbeResult s = sym.run(probe(sym));
    assertThat(s.natType()).isEqualTo(NatType.SYMMETRIC);
    assertThat(s.publicEndpoint()).isEqualTo(new InetSocketAddress(SimLab.PUBLIC_IP, 40000));

    // a second name for the same IP proves nothing: skipped
    Server sameIp = new Server(StunCodecTest.addr("203.0.113.10", 19302), null, SimLab.Change.IGNORES);
    SimLab one = new SimLab(NatKind.SYMMETRIC, PLAIN_A, sameIp);
    ProbeResult o = one.run(probe(one));
    assertThat(o.natType()).isEqualTo(NatType.UNKNOWN);
    assertThat(o.servers()).hasSize(1);
    assertThat(one.sentTo).containsOnly(PLAIN_A.primary());
  }

  @Test
  void retransmitsPerRfc8489AndMovesOnAfterFiveSeconds() {
    SimLab lab = new SimLab(NatKind.FULL_CONE, PLAIN_A, RFC5780);
    lab.dropTo = a -> a.equals(PLAIN_A.primary());
    long t0 = lab.now;
    ProbeResult r = lab.run(probe(lab));
    // to the dead server: at 0, 500, 1500 and 3500 ms (RTO 500 doubling); the next send at 7500 is past 5 s
    List<Long> toDead = new java.util.ArrayList<>();
    for (int i = 0; i < lab.sentTo.size(); i++) {
      if (lab.sentTo.get(i).equals(PLAIN_A.primary())) {
        toDead.add(lab.sendTimes.get(i) - t0);
      }
    }
    assertThat(toDead).containsExactly(0L, 500L, 1500L, 3500L);
    assertThat(lab.sendTimes.get(4) - t0).as("the second server is tried at 5 s").isEqualTo(5000L);
    assertThat(r.natType()).isEqualTo(NatType.FULL_CONE);
    assertThat(r.server()).isEqualTo("sim-" + RFC5780.primary());
    assertThat(r.servers()).extracting(ServerOutcome::error).containsExactly("timeout", null);
  }

  @Test
  void nothingAnswersMeansUnknownAndNoEndpoint() {
    SimLab lab = new SimLab(NatKind.FULL_CONE, PLAIN_A, PLAIN_B);
    lab.dropTo = a -> true;
    ProbeResult r = lab.run(probe(lab));
    assertThat(r.publicEndpoint()).isNull();
    assertThat(r.natType()).isEqualTo(NatType.UNKNOWN);
    assertThat(r.elapsedMillis()).isEqualTo(10_000);
    assertThat(r.servers()).extracting(ServerOutcome::error).containsExactly("timeout", "timeout");

    NatProbe none = new NatProbe(List.of(), Set.of(), 1, ProbeSettings.DEFAULT);
    assertThat(none.start(0)).isEmpty();
    assertThat(none.done()).isTrue();
    assertThat(none.result().natType()).isEqualTo(NatType.UNKNOWN);
  }

  @Test
  void aServerThatCannotChangeItsAddressLeavesFilteringUnknown() {
    for (SimLab.Change c : List.of(SimLab.Change.IGNORES, SimLab.Change.REJECTS_420)) {
      SimLab lab = new SimLab(NatKind.FULL_CONE, RFC5780.with(c));
      ProbeResult r = lab.run(probe(lab));
      assertThat(r.observations().changeBoth()).as(c.name()).isEqualTo(FilterOutcome.NOT_SUPPORTED);
      assertThat(r.classification().filtering()).isEqualTo(FilteringBehavior.UNKNOWN);
      assertThat(r.classification().mapping()).isEqualTo(MappingBehavior.ENDPOINT_INDEPENDENT);
      assertThat(r.natType()).isEqualTo(NatType.UNKNOWN);
    }
  }

  @Test
  void ignoresAnswersFromElsewhereOrForOtherTransactionsOrMalformed() {
    SimLab lab = new SimLab(NatKind.FULL_CONE, PLAIN_A);
    NatProbe p = probe(lab);
    List<NatProbe.Outgoing> first = p.start(lab.now);
    StunMessage req;
    try {
      req = StunCodec.decode(first.get(0).data());
    } catch (StunParseException e) {
      throw new AssertionError(e);
    }
    InetSocketAddress mapped = StunCodecTest.addr("198.51.100.77", 7777);
    byte[] right = StunCodec.encode(new StunMessage(StunClass.SUCCESS, 1, req.id(),
        List.of(new StunAttribute.XorMappedAddress(mapped)), true));
    byte[] otherId = StunCodec.encode(new StunMessage(StunClass.SUCCESS, 1, TransactionId.random(),
        List.of(new StunAttribute.XorMappedAddress(StunCodecTest.addr("6.6.6.6", 6))), true));
    byte[] noMapping = StunCodec.encode(new StunMessage(StunClass.SUCCESS, 1, req.id(), List.of(), true));
    byte[] unknownRequired = StunCodec.encode(new StunMessage(StunClass.SUCCESS, 1, req.id(),
        List.of(new StunAttribute.XorMappedAddress(StunCodecTest.addr("6.6.6.6", 6)),
            new StunAttribute.Opaque(0x0042, new byte[4])), true));
    byte[] request = StunCodec.encode(new StunMessage(StunClass.REQUEST, 1, req.id(), List.of(), true));
    assertThat(p.onDatagram(StunCodecTest.addr("203.0.113.99", 3478), right, lab.now)).isEmpty(); // wrong source
    assertThat(p.onDatagram(PLAIN_A.primary(), otherId, lab.now)).isEmpty();
    assertThat(p.onDatagram(PLAIN_A.primary(), new byte[] {1, 2, 3}, lab.now)).isEmpty();
    assertThat(p.onDatagram(PLAIN_A.primary(), noMapping, lab.now)).isEmpty();
    assertThat(p.onDatagram(PLAIN_A.primary(), unknownRequired, lab.now)).isEmpty();
    assertThat(p.onDatagram(PLAIN_A.primary(), request, lab.now)).isEmpty();
    assertThat(p.done()).isFalse();
    assertThat(p.ignored()).isEqualTo(6);
    p.onDatagram(PLAIN_A.primary(), right, lab.now + 3);
    assertThat(p.done()).isTrue();
    assertThat(p.result().publicEndpoint()).isEqualTo(mapped);
    assertThat(p.result().servers().get(0).rttMillis()).isEqualTo(3);
  }

  @Test
  void anOtherAddressThatCannotBeUsedFallsBackToASecondServer() throws Exception {
    for (String bad : List.of("192.0.2.2:0", "0.0.0.0:3479", "224.0.0.1:3479", "203.0.113.10:3479", "192.0.2.2:3478",
        "[2001:db8::2]:3479")) {
      SimLab lab = new SimLab(NatKind.FULL_CONE, PLAIN_A);
      NatProbe p = probe(lab);
      TransactionId id = StunCodec.decode(p.start(lab.now).get(0).data()).id();
      int colon = bad.lastIndexOf(':');
      String host = bad.substring(0, colon).replace("[", "").replace("]", "");
      byte[] answer = StunCodec.encode(new StunMessage(StunClass.SUCCESS, 1, id, List.of(
          new StunAttribute.XorMappedAddress(StunCodecTest.addr("198.51.100.1", 40000)),
          new StunAttribute.OtherAddress(StunCodecTest.addr(host, Integer.parseInt(bad.substring(colon + 1))))),
          true));
      // PLAIN_A (203.0.113.10:3478) names an alternate that cannot work: no RFC 5780 tests, and no second server
      assertThat(p.onDatagram(PLAIN_A.primary(), answer, lab.now)).as(bad).isEmpty();
      assertThat(p.done()).isTrue();
      assertThat(p.result().observations().rfc5780()).isFalse();
    }
  }

  @Test
  void anErrorAnswerToTestOneMovesToTheNextServer() {
    SimLab lab = new SimLab(NatKind.FULL_CONE, PLAIN_A, PLAIN_B);
    NatProbe p = probe(lab);
    List<NatProbe.Outgoing> first = p.start(lab.now);
    TransactionId id;
    try {
      id = StunCodec.decode(first.get(0).data()).id();
    } catch (StunParseException e) {
      throw new AssertionError(e);
    }
    byte[] err = StunCodec.encode(new StunMessage(StunClass.ERROR, 1, id,
        List.of(new StunAttribute.ErrorCode(400, "Bad Request")), true));
    List<NatProbe.Outgoing> next = p.onDatagram(PLAIN_A.primary(), err, lab.now);
    assertThat(next).extracting(NatProbe.Outgoing::to).containsExactly(PLAIN_B.primary());
    assertThat(p.done()).isFalse();
  }
}
