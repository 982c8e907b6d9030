package org.kinmesh.node.link;

import io.vertx.core.json.JsonObject;

/**
 * Why a peer is not reached directly, as one machine-readable code for /peers (pure; docs/links.md §5).
 * A direct peer has no reason. The most decisive cause wins: a refusal, no path at all, a policy
 * (ours, then the peer's), two symmetric NATs, punching that has not worked, no endpoint to try;
 * otherwise a direct path is still being set up ({@code direct_pending}).
 */
public final class PeerReason {
  private PeerReason() {}

  /**
   * What the links know about one peer's paths.
   *
   * @param punchRounds probe rounds the current punch attempt has sent (0: no attempt running)
   * @param nextPunchInMs when its next round is due, from now (-1: no attempt running)
   */
  public record Input(PathKind path, PathPolicy policy, boolean peerForceRelay, String refused, String ownNat,
      String peerNat, boolean endpointKnown, int punchRounds, long nextPunchInMs) {}

  /** The reason code, or null when the peer is direct. */
  public static String code(Input in) {
    if (in.path().direct()) {
      return null;
    }
    if (in.refused() != null) {
      return "refused";
    }
    if (in.path() == PathKind.NONE) {
      return in.policy() == PathPolicy.DIRECT_ONLY ? "direct_only_unreachable" : "down";
    }
    if (in.policy() == PathPolicy.FORCE_RELAY) {
      return "force_relay";
    }
    if (in.peerForceRelay()) {
      return "peer_force_relay";
    }
    if ("symmetric".equals(in.ownNat()) && "symmetric".equals(in.peerNat())) {
      return "both_symmetric";
    }
    if (in.punchRounds() > 0) {
      return "punch_failed";
    }
    return in.endpointKnown() ? "direct_pending" : "no_endpoint";
  }

  /** The details that go with a code: a failing punch's attempts and next try; empty otherwise. */
  public static JsonObject detail(Input in, String code) {
    JsonObject d = new JsonObject();
    if ("punch_failed".equals(code)) {
      d.put("attempts", in.punchRounds()).put("next_try_in_ms", Math.max(0, in.nextPunchInMs()));
    }
    return d;
  }
}
