package org.kinmesh.invite;

import java.nio.charset.StandardCharsets;
import org.kinmesh.crypto.Ed25519;
import org.kinmesh.crypto.Hex;
import org.kinmesh.wire.Canonical;
import org.kinmesh.wire.MessageTag;
import org.kinmesh.wire.WireRules;

/**
 * The part of a signed invite a join transaction carries on chain: everything but the URLs, which
 * the guardian's signature covers through {@code locatorHash} (SHA-256 of relay URL, newline,
 * genesis URL). So the chain holds no address (docs/chain.md) and still verifies the very
 * signature the invite code carries.
 */
public record InviteGrant(String id, String blockchainId, String genesisHash, String locatorHash, boolean consensus,
    String name, String guardian, long expiresAt, String signature) {
  public InviteGrant {
    require(id != null && Hex.isLowerHex(id, 16), "invite id must be 32 lowercase hex characters");
    require(WireRules.isBlockchainId(blockchainId), "invite chain must be 1-64 characters of [A-Za-z0-9._-]");
    require(WireRules.isSha256Hex(genesisHash), "invite genesis must be 64 lowercase hex characters");
    require(WireRules.isSha256Hex(locatorHash), "invite locator must be 64 lowercase hex characters");
    require(name != null && name.length() <= Invite.MAX_NAME_CHARS && Invite.wellFormed(name)
        && name.codePoints().noneMatch(Character::isISOControl), "invite name must be at most "
        + Invite.MAX_NAME_CHARS + " characters of well-formed text without control characters");
    require(WireRules.isPublicKeyHex(guardian), "invite guardian must be 64 lowercase hex characters");
    require(expiresAt > 0 && expiresAt < (1L << 53), "invite expiry must be a positive unix time");
    require(signature != null && Hex.isLowerHex(signature, Ed25519.SIGNATURE_BYTES),
        "invite signature must be 128 lowercase hex characters");
  }

  public static String locatorHash(String relayUrl, String genesisUrl) {
    return Hex.encode(Ed25519.sha256((relayUrl + "\n" + genesisUrl).getBytes(StandardCharsets.UTF_8)));
  }

  /** The canonical message the guardian signs (tag {@code kinmesh-invite-v1}). */
  static byte[] message(String id, String chain, String genesis, String locator, boolean consensus, String name,
      String guardian, long expires) {
    return Canonical.message(MessageTag.INVITE, id, chain, genesis, locator, consensus ? "consensus" : "member", name,
        guardian, expires);
  }

  /** True when the guardian's signature holds. */
  public boolean verifies() {
    return Ed25519.verify(Hex.decode(guardian), Hex.decode(signature),
        message(id, blockchainId, genesisHash, locatorHash, consensus, name, guardian, expiresAt));
  }

  public String role() {
    return consensus ? "consensus" : "member";
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
