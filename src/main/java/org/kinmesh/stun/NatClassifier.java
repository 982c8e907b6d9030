package org.kinmesh.stun;

import java.net.InetSocketAddress;
import org.kinmesh.wire.gossip.NatType;

/**
 * Turns what the STUN tests observed into a NAT type: the decision table of docs/stun.md.
 * Pure; the probe that gathers the observations is {@link NatProbe}.
 */
public final class NatClassifier {
  private NatClassifier() {}

  /**
   * What the tests saw. {@code mapped}: test I's mapped address (null: no server answered).
   * {@code mappedIsLocal}: it is one of this host's own addresses and the socket's port.
   * {@code rfc5780}: the server gave a usable OTHER-ADDRESS, so the filtering and mapping tests
   * ran: {@code changeBoth}/{@code changePort} are the filtering tests, {@code mappedAltIp} the
   * mapping seen at the alternate IP and primary port (test II), {@code mappedAltBoth} at the
   * alternate IP and port (test III); null when unanswered. Otherwise {@code secondMapped} is
   * the mapping a second server on another IP saw (null: none answered).
   */
  public record Observations(InetSocketAddress mapped, boolean mappedIsLocal, boolean rfc5780,
      FilterOutcome changeBoth, FilterOutcome changePort, InetSocketAddress mappedAltIp,
      InetSocketAddress mappedAltBoth, InetSocketAddress secondMapped) {

    public static Observations noAnswer() {
      return new Observations(null, false, false, FilterOutcome.NOT_RUN, FilterOutcome.NOT_RUN, null, null, null);
    }
  }

  public record Classification(NatType type, MappingBehavior mapping, FilteringBehavior filtering) {}

  public static Classification classify(Observations o) {
    if (o.mapped() == null) {
      return new Classification(NatType.UNKNOWN, MappingBehavior.UNKNOWN, FilteringBehavior.UNKNOWN);
    }
    if (o.mappedIsLocal()) {
      return new Classification(NatType.OPEN, MappingBehavior.NONE, FilteringBehavior.UNKNOWN);
    }
    if (!o.rfc5780()) {
      // Two servers on different IPs: a changed mapping proves a symmetric NAT; the same
      // mapping proves endpoint-independent mapping but says nothing about filtering.
      if (o.secondMapped() == null) {
        return new Classification(NatType.UNKNOWN, MappingBehavior.UNKNOWN, FilteringBehavior.UNKNOWN);
      }
      return o.secondMapped().equals(o.mapped())
          ? new Classification(NatType.UNKNOWN, MappingBehavior.ENDPOINT_INDEPENDENT, FilteringBehavior.UNKNOWN)
          : new Classification(NatType.SYMMETRIC, MappingBehavior.DEPENDENT, FilteringBehavior.UNKNOWN);
    }
    FilteringBehavior filtering = filtering(o.changeBoth(), o.changePort());
    MappingBehavior mapping = mapping(o);
    NatType type = switch (mapping) {
      case ENDPOINT_INDEPENDENT -> switch (filtering) {
        case ENDPOINT_INDEPENDENT -> NatType.FULL_CONE;
        case ADDRESS_DEPENDENT -> NatType.RESTRICTED;
        case ADDRESS_AND_PORT_DEPENDENT -> NatType.PORT_RESTRICTED;
        case UNKNOWN -> NatType.UNKNOWN;
      };
      case ADDRESS_DEPENDENT, ADDRESS_AND_PORT_DEPENDENT, DEPENDENT -> NatType.SYMMETRIC;
      case NONE, UNKNOWN -> NatType.UNKNOWN;
    };
    return new Classification(type, mapping, filtering);
  }

  private static MappingBehavior mapping(Observations o) {
    if (o.mappedAltIp() == null) {
      return MappingBehavior.UNKNOWN;
    }
    if (o.mappedAltIp().equals(o.mapped())) {
      return MappingBehavior.ENDPOINT_INDEPENDENT;
    }
    if (o.mappedAltBoth() == null) {
      return MappingBehavior.DEPENDENT;
    }
    return o.mappedAltBoth().equals(o.mappedAltIp()) ? MappingBehavior.ADDRESS_DEPENDENT
        : MappingBehavior.ADDRESS_AND_PORT_DEPENDENT;
  }

  private static FilteringBehavior filtering(FilterOutcome changeBoth, FilterOutcome changePort) {
    if (changeBoth == FilterOutcome.ANSWERED) {
      return FilteringBehavior.ENDPOINT_INDEPENDENT;
    }
    if (changeBoth != FilterOutcome.NO_ANSWER) {
      return FilteringBehavior.UNKNOWN;
    }
    return switch (changePort) {
      case ANSWERED -> FilteringBehavior.ADDRESS_DEPENDENT;
      case NO_ANSWER -> FilteringBehavior.ADDRESS_AND_PORT_DEPENDENT;
      default -> FilteringBehavior.UNKNOWN;
    };
  }
}
