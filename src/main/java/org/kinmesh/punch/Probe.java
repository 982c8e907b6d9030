package org.kinmesh.punch;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import org.kinmesh.crypto.Ed25519;
import org.kinmesh.crypto.Hex;
import org.kinmesh.crypto.Identity;
import org.kinmesh.wire.Canonical;
import org.kinmesh.wire.MessageTag;
import org.kinmesh.wire.StrictJson;
import org.kinmesh.wire.WireException;
import org.kinmesh.wire.WireRules;
import org.kinmesh.wire.gossip.Endpoint;

/**
 * A hole-punch probe or its reply (kinmesh datagram types 0x10 and 0x11, docs/nat-traversal.md).
 * Both are signed by the sender. A reply echoes the nonce of the probe it answers and names
 * the address that probe came from ({@code observed}: the prober's peer-reflexive endpoint), so
 * only the real peer can confirm a path, and only to the address our own probe reached: a
 * third party can neither forge a reply nor replay one (the nonce is fresh per probe).
 *
 * <pre>
 * M = tag \n blockchain_id \n genesis \n from \n to \n nonce \n echo \n observed \n ts
 * </pre>
 * (tag kinmesh-punch-probe-v2 or kinmesh-punch-reply-v2; a probe has empty echo and observed).
 * {@code genesis} is the sender's genesis hash: a node of another genesis gets no UDP path (issue 12.5).
 */
public record Probe(boolean reply, String blockchainId, String genesis, String from, String to, String nonce,
    String echo, String observed, long ts, String sig) {
  public static final int TYPE_PROBE = 0x10;
  public static final int TYPE_REPLY = 0x11;
  public static final int MAX_BYTES = 1_200;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** 16 random bytes as hex. */
  public static String newNonce() {
    byte[] b = new byte[16];
    RANDOM.nextBytes(b);
    return Hex.encode(b);
  }

  public static Probe probe(Identity id, String blockchainId, String genesis, String to, String nonce, long ts) {
    return signed(id, false, blockchainId, genesis, to, nonce, "", "", ts);
  }

  public static Probe reply(Identity id, String blockchainId, String genesis, String to, String nonce, String echo,
      Endpoint observed, long ts) {
    return signed(id, true, blockchainId, genesis, to, nonce, echo, observed.toString(), ts);
  }

  private static Probe signed(Identity id, boolean reply, String chain, String genesis, String to, String nonce,
      String echo, String observed, long ts) {
    Probe unsigned = new Probe(reply, chain, genesis, id.publicKeyHex(), to, nonce, echo, observed, ts, "");
    return new Probe(reply, chain, genesis, id.publicKeyHex(), to, nonce, echo, observed, ts,
        id.sign(unsigned.canonical()));
  }

  public byte[] canonical() {
    return Canonical.message(reply ? MessageTag.PUNCH_REPLY : MessageTag.PUNCH_PROBE, blockchainId, genesis, from, to,
        nonce, echo, observed, ts);
  }

  public boolean signatureValid() {
    return Ed25519.verify(from, sig, canonical());
  }

  public Buffer encode() {
    JsonObject j = new JsonObject().put("type", reply ? "reply" : "probe").put("blockchain_id", blockchainId)
        .put("genesis", genesis).put("from", from).put("to", to).put("nonce", nonce).put("ts", ts).put("sig", sig);
    if (reply) {
      j.put("echo", echo).put("observed", observed);
    }
    return Buffer.buffer(MAX_BYTES).appendByte((byte) 0x4B).appendByte((byte) 0x01)
        .appendByte((byte) (reply ? TYPE_REPLY : TYPE_PROBE)).appendString(j.encode());
  }

  /** Parses a probe datagram; shape only (signature and freshness are {@link ProbeCheck}'s). */
  public static Probe parse(Buffer datagram) throws WireException {
    if (datagram.length() > MAX_BYTES || datagram.length() < 4) {
      throw WireException.malformed("probe datagram of " + datagram.length() + " bytes");
    }
    int type = datagram.getUnsignedByte(2);
    if (type != TYPE_PROBE && type != TYPE_REPLY) {
      throw WireException.malformed("not a probe type: " + type);
    }
    boolean reply = type == TYPE_REPLY;
    StrictJson j = StrictJson.parse(datagram.getBytes(3, datagram.length()), MAX_BYTES);
    if (!(reply ? "reply" : "probe").equals(j.requireString("type"))) {
      throw WireException.malformed("type field disagrees with the type byte");
    }
    String chain = j.requireString("blockchain_id");
    String genesis = j.requireString("genesis");
    String from = j.requireString("from");
    String to = j.requireString("to");
    String nonce = j.requireString("nonce");
    long ts = j.requireLong("ts");
    String sig = j.requireString("sig");
    String echo = reply ? j.requireString("echo") : "";
    String observed = reply ? j.requireString("observed") : "";
    if (!WireRules.isBlockchainId(chain) || !WireRules.isSha256Hex(genesis) || !WireRules.isPublicKeyHex(from) || !WireRules.isPublicKeyHex(to)
        || !Hex.isLowerHex(nonce, 16) || !WireRules.isTimestamp(ts)
        || !WireRules.isSignatureHex(sig) || (reply && !Hex.isLowerHex(echo, 16))) {
      throw WireException.malformed("probe field out of range");
    }
    if (reply) {
      Endpoint.parse(observed);
    }
    return new Probe(reply, chain, genesis, from, to, nonce, echo, observed, ts, sig);
  }

  @Override
  public String toString() {
    return (reply ? "reply" : "probe") + " from " + from.substring(0, 8) + " nonce " + nonce.substring(0, 8);
  }
}
