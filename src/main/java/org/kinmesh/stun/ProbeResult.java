package org.kinmesh.stun;

import java.net.InetSocketAddress;
import java.util.List;
import org.kinmesh.wire.gossip.NatType;

/**
 * The outcome of one NAT probe: the public endpoint (null when no server answered), the NAT
 * type with the mapping and filtering behind it, which server answered first, what each server
 * contacted did, the raw observations and how long the probe took.
 */
public record ProbeResult(InetSocketAddress publicEndpoint, NatClassifier.Classification classification,
    String server, List<ServerOutcome> servers, NatClassifier.Observations observations, long elapsedMillis) {

  public ProbeResult {
    servers = List.copyOf(servers);
  }

  public NatType natType() {
    return classification.type();
  }

  /** No server answered: nothing is known. */
  public static ProbeResult nothing(List<ServerOutcome> servers, long elapsedMillis) {
    NatClassifier.Observations none = NatClassifier.Observations.noAnswer();
    return new ProbeResult(null, NatClassifier.classify(none), null, servers, none, elapsedMillis);
  }
}
