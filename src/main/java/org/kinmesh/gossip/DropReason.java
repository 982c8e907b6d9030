package org.kinmesh.gossip;

/**
 * Why an inbound gossip message (or one announce inside a delta) changed nothing. Each has a
 * counter; over HTTP ({@code POST /gossip}) each answers with its status and error code.
 */
public enum DropReason {
  TOO_LARGE("too_large", 413, "too_large"),
  RATE_LIMITED_SOURCE("rate_limited_source", 429, "rate_limited"),
  RATE_LIMITED_PEER("rate_limited_peer", 429, "rate_limited"),
  UNSUPPORTED_TYPE("unsupported_type", 400, "malformed"),
  MALFORMED("malformed", 400, "malformed"),
  WRONG_BLOCKCHAIN("wrong_blockchain", 404, "unknown_blockchain"),
  STALE("stale_timestamp", 401, "stale_timestamp"),
  NOT_READY("not_ready", 503, "unavailable"),
  UNAUTHORIZED("unauthorized", 403, "unauthorized"),
  INVALID_SIGNATURE("invalid_signature", 401, "invalid_signature"),
  /** announce: ver lower than the highest accepted for that key */
  OUTDATED("outdated", 409, "replayed"),
  /** announce: the very ver already accepted (a copy via another peer) */
  DUPLICATE("duplicate", 409, "replayed"),
  /** pull: ts not newer than the last pull accepted from that key */
  REPLAYED("replayed", 409, "replayed"),
  /** an announce of this node's own key, relayed back to it */
  SELF("self", 409, "conflict"),
  /** a delta (or cookie reply) from an address we did not pull, naming another responder (or pull), or a second cookie for one pull */
  UNSOLICITED("unsolicited", 400, "malformed"),
  /** more delta datagrams for one pull than gossip.max_delta_datagrams */
  DELTA_OVER_LIMIT("delta_over_limit", 400, "malformed");

  private final String code;
  private final int httpStatus;
  private final String httpCode;

  DropReason(String code, int httpStatus, String httpCode) {
    this.code = code;
    this.httpStatus = httpStatus;
    this.httpCode = httpCode;
  }

  /** The counter's name. */
  public String code() {
    return code;
  }

  public int httpStatus() {
    return httpStatus;
  }

  /** The PROTOCOL.md §2 style error code of the HTTP answer. */
  public String httpCode() {
    return httpCode;
  }
}
