package org.kinmesh.invite;

import org.kinmesh.wire.WireRules;

/**
 * What a guardian hands a new machine (docs/guide.md, "Invites"): who may join which chain, as
 * what, until when. {@code id} is 16 random bytes (hex) the chain records when the invite is
 * used, so it works once. Every field is checked here, so an Invite in hand is well formed.
 *
 * @param id 32 lowercase hex characters, random
 * @param blockchainId the chain it is for
 * @param genesisHash that chain's genesis hash: an invite for a same-named other chain is refused
 * @param relayUrl the family's relay
 * @param genesisUrl where to fetch the genesis block (a node API: {@code GET /blocks/0})
 * @param consensus true: a voting node; false: a member (non-voting) node
 * @param name a display name for the node, or ""
 * @param guardian the signing guardian's public key (hex)
 * @param expiresAt unix seconds after which the invite is refused
 */
public record Invite(String id, String blockchainId, String genesisHash, String relayUrl, String genesisUrl,
    boolean consensus, String name, String guardian, long expiresAt) {
  public static final int MAX_URL_CHARS = 256;
  public static final int MAX_NAME_CHARS = 64;

  public Invite {
    require(id != null && org.kinmesh.crypto.Hex.isLowerHex(id, 16), "id must be 32 lowercase hex characters");
    require(WireRules.isBlockchainId(blockchainId), "chain id must be 1-64 characters of [A-Za-z0-9._-]");
    require(WireRules.isSha256Hex(genesisHash), "genesis hash must be 64 lowercase hex characters");
    require(isHttpUrl(relayUrl), "relay URL must be http(s)://host[:port] without spaces, at most "
        + MAX_URL_CHARS + " characters");
    require(isHttpUrl(genesisUrl), "genesis URL must be http(s)://host[:port] without spaces, at most "
        + MAX_URL_CHARS + " characters");
    require(name != null && name.length() <= MAX_NAME_CHARS && name.codePoints().noneMatch(Character::isISOControl)
            && wellFormed(name),
        "name must be at most " + MAX_NAME_CHARS + " characters of well-formed text without control characters");
    require(WireRules.isPublicKeyHex(guardian), "guardian must be 64 lowercase hex characters");
    require(expiresAt > 0 && expiresAt < (1L << 53), "expiry must be a positive unix time");
  }

  public String role() {
    return consensus ? "consensus" : "member";
  }

  /** No lone surrogate: UTF-8 could not carry it, and the decoded invite would differ from the signed one. */
  static boolean wellFormed(String s) {
    return new String(s.getBytes(java.nio.charset.StandardCharsets.UTF_8), java.nio.charset.StandardCharsets.UTF_8)
        .equals(s);
  }

  static boolean isHttpUrl(String url) {
    if (url == null || url.isEmpty() || url.length() > MAX_URL_CHARS || !url.matches("https?://[^\\s/?#]+(/[^\\s]*)?")) {
      return false;
    }
    try {
      return java.net.URI.create(url).getHost() != null;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
