package org.kinmesh.node.link;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.kinmesh.crypto.Ed25519;
import org.kinmesh.crypto.Hex;
import org.kinmesh.crypto.Identity;
import org.kinmesh.wire.Canonical;
import org.kinmesh.wire.MessageTag;
import org.kinmesh.wire.StrictJson;
import org.kinmesh.wire.WireException;
import org.kinmesh.wire.WireRules;

/**
 * The signed hello each side of a link sends first (docs/links.md). {@code challenge} is the
 * random value the other side chose for this connection, so a recorded hello never verifies
 * on another connection; {@code nonce} is the challenge this side sets for the other.
 *
 * {@code genesis} is the hash of the sender's genesis block: two nodes of one blockchain id on two
 * genesis files are two chains, and must not link (issue 12.5).
 *
 * <p>M = "kinmesh-link-hello-v2" \n role \n blockchain_id \n genesis \n pubkey \n peer \n timestamp \n nonce \n challenge
 */
public record Hello(String role, String blockchainId, String genesis, String pubkey, String peer, long timestamp,
    String nonce, String challenge, String sig) {
  public static final String ACCEPT = "accept";
  public static final String DIAL = "dial";
  private static final SecureRandom RANDOM = new SecureRandom();

  public static String newChallenge() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return Hex.encode(b);
  }

  public static Hello sign(Identity id, String role, String blockchainId, String genesis, String peer, long timestamp,
      String nonce, String challenge) {
    Hello unsigned = new Hello(role, blockchainId, genesis, id.publicKeyHex(), peer, timestamp, nonce, challenge, "");
    return new Hello(role, blockchainId, genesis, id.publicKeyHex(), peer, timestamp, nonce, challenge,
        id.sign(unsigned.canonical()));
  }

  public byte[] canonical() {
    return Canonical.message(MessageTag.LINK_HELLO, role, blockchainId, genesis, pubkey, peer, timestamp, nonce, challenge);
  }

  public boolean signatureValid() {
    return Ed25519.verify(pubkey, sig, canonical());
  }

  public JsonObject toJson() {
    return new JsonObject().put("type", "hello").put("role", role).put("blockchain_id", blockchainId)
        .put("genesis", genesis).put("pubkey", pubkey).put("peer", peer).put("timestamp", timestamp).put("nonce", nonce)
        .put("challenge", challenge).put("sig", sig);
  }

  /** Parses a hello frame; every field is checked for shape before anything else looks at it. */
  public static Hello parse(String text) throws WireException {
    StrictJson j = StrictJson.parse(text.getBytes(StandardCharsets.UTF_8), 4_096);
    if (!"hello".equals(j.requireString("type"))) {
      throw WireException.malformed("expected a hello frame");
    }
    String role = j.requireString("role");
    if (!ACCEPT.equals(role) && !DIAL.equals(role)) {
      throw WireException.malformed("role must be accept or dial");
    }
    String chain = j.requireString("blockchain_id");
    if (!j.has("genesis")) {
      throw WireException.malformed("hello has no genesis hash (a kinmesh older than the genesis check: upgrade it)");
    }
    String genesis = j.requireString("genesis");
    String pubkey = j.requireString("pubkey");
    String peer = j.requireString("peer");
    long ts = j.requireLong("timestamp");
    String nonce = j.requireString("nonce");
    String challenge = j.requireString("challenge");
    String sig = j.requireString("sig");
    if (!WireRules.isBlockchainId(chain) || !WireRules.isSha256Hex(genesis) || !WireRules.isPublicKeyHex(pubkey)
        || !(peer.isEmpty() || WireRules.isPublicKeyHex(peer)) || !WireRules.isTimestamp(ts)
        || !Hex.isLowerHex(nonce, 32) || !Hex.isLowerHex(challenge, 32) || !WireRules.isSignatureHex(sig)) {
      throw WireException.malformed("hello field out of range");
    }
    return new Hello(role, chain, genesis, pubkey, peer, ts, nonce, challenge, sig);
  }
}
