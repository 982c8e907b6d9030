package org.kinmesh.stun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.kinmesh.stun.FilterOutcome.ANSWERED;
import static org.kinmesh.stun.FilterOutcome.NOT_RUN;
import static org.kinmesh.stun.FilterOutcome.NOT_SUPPORTED;
import static org.kinmesh.stun.FilterOutcome.NO_ANSWER;

import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.kinmesh.stun.NatClassifier.Observations;
import org.kinmesh.wire.gossip.NatType;

/** The decision table of docs/stun.md, row by row. */
class NatClassifierTest {
  private static final InetSocketAddress M = StunCodecTest.addr("203.0.113.5", 40000);
  private static final InetSocketAddress M2 = StunCodecTest.addr("203.0.113.5", 40001);
  private static final InetSocketAddress M3 = StunCodecTest.addr("203.0.113.5", 40002);

  record Row(String name, Observations seen, NatType type, MappingBehavior mapping, FilteringBehavior filtering) {}

  private static Observations rfc5780(FilterOutcome both, FilterOutcome port, InetSocketAddress altIp,
      InetSocketAddress altBoth) {
    return new Observations(M, false, true, both, port, altIp, altBoth, null);
  }

  private static Observations twoServers(InetSocketAddress second) {
    return new Observations(M, false, false, NOT_RUN, NOT_RUN, null, null, second);
  }

  @Test
  void decisionTable() {
    List<Row> table = List.of(
        new Row("no server answered", Observations.noAnswer(), NatType.UNKNOWN, MappingBehavior.UNKNOWN,
            FilteringBehavior.UNKNOWN),
        new Row("mapped = own address", new Observations(M, true, false, NOT_RUN, NOT_RUN, null, null, null),
            NatType.OPEN, MappingBehavior.NONE, FilteringBehavior.UNKNOWN),
        new Row("full cone", rfc5780(ANSWERED, ANSWERED, M, null), NatType.FULL_CONE,
            MappingBehavior.ENDPOINT_INDEPENDENT, FilteringBehavior.ENDPOINT_INDEPENDENT),
        new Row("full cone, change-port answer lost", rfc5780(ANSWERED, NO_ANSWER, M, null), NatType.FULL_CONE,
            MappingBehavior.ENDPOINT_INDEPENDENT, FilteringBehavior.ENDPOINT_INDEPENDENT),
        new Row("restricted", rfc5780(NO_ANSWER, ANSWERED, M, null), NatType.RESTRICTED,
            MappingBehavior.ENDPOINT_INDEPENDENT, FilteringBehavior.ADDRESS_DEPENDENT),
        new Row("port restricted", rfc5780(NO_ANSWER, NO_ANSWER, M, null), NatType.PORT_RESTRICTED,
            MappingBehavior.ENDPOINT_INDEPENDENT, FilteringBehavior.ADDRESS_AND_PORT_DEPENDENT),
        new Row("symmetric, address-dependent mapping", rfc5780(NO_ANSWER, NO_ANSWER, M2, M2), NatType.SYMMETRIC,
            MappingBehavior.ADDRESS_DEPENDENT, FilteringBehavior.ADDRESS_AND_PORT_DEPENDENT),
        new Row("symmetric, address-and-port-dependent mapping", rfc5780(NO_ANSWER, NO_ANSWER, M2, M3),
            NatType.SYMMETRIC, MappingBehavior.ADDRESS_AND_PORT_DEPENDENT,
            FilteringBehavior.ADDRESS_AND_PORT_DEPENDENT),
        new Row("symmetric, test III unanswered", rfc5780(NO_ANSWER, NO_ANSWER, M2, null), NatType.SYMMETRIC,
            MappingBehavior.DEPENDENT, FilteringBehavior.ADDRESS_AND_PORT_DEPENDENT),
        new Row("symmetric with open filtering is still symmetric", rfc5780(ANSWERED, ANSWERED, M2, M3),
            NatType.SYMMETRIC, MappingBehavior.ADDRESS_AND_PORT_DEPENDENT, FilteringBehavior.ENDPOINT_INDEPENDENT),
        new Row("server cannot change address", rfc5780(NOT_SUPPORTED, NOT_SUPPORTED, M, null), NatType.UNKNOWN,
            MappingBehavior.ENDPOINT_INDEPENDENT, FilteringBehavior.UNKNOWN),
        new Row("server can change port only", rfc5780(NOT_SUPPORTED, ANSWERED, M, null), NatType.UNKNOWN,
            MappingBehavior.ENDPOINT_INDEPENDENT, FilteringBehavior.UNKNOWN),
        new Row("change-port unsupported after no answer", rfc5780(NO_ANSWER, NOT_SUPPORTED, M, null),
            NatType.UNKNOWN, MappingBehavior.ENDPOINT_INDEPENDENT, FilteringBehavior.UNKNOWN),
        new Row("alternate address never answered", rfc5780(NO_ANSWER, NO_ANSWER, null, null), NatType.UNKNOWN,
            MappingBehavior.UNKNOWN, FilteringBehavior.ADDRESS_AND_PORT_DEPENDENT),
        new Row("two servers, same mapping: a cone of unknown kind", twoServers(M), NatType.UNKNOWN,
            MappingBehavior.ENDPOINT_INDEPENDENT, FilteringBehavior.UNKNOWN),
        new Row("two servers, different mappings", twoServers(M2), NatType.SYMMETRIC, MappingBehavior.DEPENDENT,
            FilteringBehavior.UNKNOWN),
        new Row("one server without OTHER-ADDRESS, no second", twoServers(null), NatType.UNKNOWN,
            MappingBehavior.UNKNOWN, FilteringBehavior.UNKNOWN));
    for (Row r : table) {
      NatClassifier.Classification c = NatClassifier.classify(r.seen());
      assertThat(c).as(r.name()).isEqualTo(new NatClassifier.Classification(r.type(), r.mapping(), r.filtering()));
    }
  }
}
