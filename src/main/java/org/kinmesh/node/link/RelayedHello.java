package org.kinmesh.node.link;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import org.kinmesh.crypto.Ed25519;
import org.kinmesh.crypto.Identity;
import org.kinmesh.wire.Canonical;
import org.kinmesh.wire.MessageTag;
import org.kinmesh.wire.StrictJson;
import org.kinmesh.wire.WireException;
import org.kinmesh.wire.WireRules;

/**
 * The hello two peers exchange through the relay before the relayed path carries anything
 * (docs/links.md §1.1): which genesis the sender runs, so a node of another chain is refused
 * there too (issue 12.5), and whether it takes direct links at all (force_relay, issue 12.7).
 * The relay already vouches for the sender's key; the signature makes the claims the sender's own.
 *
 * <p>{@code {"kinmesh_link": "hello", "blockchain_id", "genesis", "pubkey", "to", "force_relay", "answer", "ts", "sig"}}
 *
 * <p>M = "kinmesh-link-relayed-hello-v1" \n blockchain_id \n genesis \n pubkey \n to \n force_relay \n answer \n ts
 * ({@code force_relay} and {@code answer} as {@code true}/{@code false})
 */
record RelayedHello(String blockchainId, String genesis, String pubkey, String to, boolean forceRelay, boolean answer,
    long ts, String sig) {
  static final String PREFIX = CallMe.PREFIX + "\"hello\"";
  static final int MAX_BYTES = 1_024;

  static boolean isHello(String payload) {
    return payload.startsWith(PREFIX);
  }

  static RelayedHello sign(Identity id, String chain, String genesis, String to, boolean forceRelay, boolean answer,
      long ts) {
    RelayedHello u = new RelayedHello(chain, genesis, id.publicKeyHex(), to, forceRelay, answer, ts, "");
    return new RelayedHello(chain, genesis, u.pubkey, to, forceRelay, answer, ts, id.sign(u.canonical()));
  }

  byte[] canonical() {
    return Canonical.message(MessageTag.LINK_RELAYED_HELLO, blockchainId, genesis, pubkey, to,
        Boolean.toString(forceRelay), Boolean.toString(answer), ts);
  }

  boolean signatureValid() {
    return Ed25519.verify(pubkey, sig, canonical());
  }

  String encode() {
    JsonObject rest = new JsonObject().put("blockchain_id", blockchainId).put("genesis", genesis).put("pubkey", pubkey)
        .put("to", to).put("force_relay", forceRelay).put("answer", answer).put("ts", ts).put("sig", sig);
    // kinmesh_link first: receivers recognise control payloads by that prefix.
    return PREFIX + "," + rest.encode().substring(1);
  }

  static RelayedHello parse(String payload) throws WireException {
    StrictJson j = StrictJson.parse(payload.getBytes(StandardCharsets.UTF_8), MAX_BYTES);
    if (!"hello".equals(j.requireString("kinmesh_link"))) {
      throw WireException.malformed("not a relayed hello");
    }
    String chain = j.requireString("blockchain_id");
    String genesis = j.requireString("genesis");
    String pubkey = j.requireString("pubkey");
    String to = j.requireString("to");
    if (!j.has("force_relay") || !j.get("force_relay").isBoolean() || !j.has("answer")
        || !j.get("answer").isBoolean()) {
      throw WireException.malformed("force_relay and answer must be booleans");
    }
    long ts = j.requireLong("ts");
    String sig = j.requireString("sig");
    if (!WireRules.isBlockchainId(chain) || !WireRules.isSha256Hex(genesis) || !WireRules.isPublicKeyHex(pubkey)
        || !WireRules.isPublicKeyHex(to) || !WireRules.isTimestamp(ts) || !WireRules.isSignatureHex(sig)) {
      throw WireException.malformed("relayed hello field out of range");
    }
    return new RelayedHello(chain, genesis, pubkey, to, j.get("force_relay").booleanValue(),
        j.get("answer").booleanValue(), ts, sig);
  }
}
