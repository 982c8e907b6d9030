package org.kinmesh.invite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.Set;
import org.kinmesh.crypto.Ed25519;
import org.kinmesh.crypto.Hex;
import org.kinmesh.crypto.Identity;
import org.kinmesh.wire.MessageTag;
import org.kinmesh.wire.StrictJson;
import org.kinmesh.wire.WireException;

/**
 * Invite codes, one line: {@code kmi1.} base64url(JSON body) {@code .} base64url(Ed25519 signature).
 * The guardian signs the canonical message of the typed fields (tag {@code kinmesh-invite-v1}),
 * not the JSON bytes. Parsing is strict: exact prefix, canonical unpadded base64url (so no two
 * codes carry the same bytes), strict JSON with exactly the known fields, every field checked,
 * then the signature. Expiry and the chain binding are checked against what the caller knows.
 * Pure: no I/O, the clock is a parameter.
 */
public final class InviteCodec {
  public static final String PREFIX = "kmi1.";
  /** Longer than any valid code (fields at their limits), so junk is refused before decoding. */
  public static final int MAX_CODE_CHARS = 2048;
  private static final Set<String> FIELDS = Set.of("id", "chain", "genesis", "relay", "genesis_url", "role", "name",
      "guardian", "expires");
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder UNB64 = Base64.getUrlDecoder();

  private InviteCodec() {}

  /** The canonical message the guardian signs. */
  static byte[] message(Invite i) {
    return InviteGrant.message(i.id(), i.blockchainId(), i.genesisHash(),
        InviteGrant.locatorHash(i.relayUrl(), i.genesisUrl()), i.consensus(), i.name(), i.guardian(), i.expiresAt());
  }

  /** What a join carries on chain: the invite without its URLs, with the code's signature. */
  public static InviteGrant grant(String code) throws InviteException {
    Invite i = decode(code);
    String sig = org.kinmesh.crypto.Hex.encode(UNB64.decode(code.strip().substring(code.strip().lastIndexOf('.') + 1)));
    return new InviteGrant(i.id(), i.blockchainId(), i.genesisHash(), InviteGrant.locatorHash(i.relayUrl(),
        i.genesisUrl()), i.consensus(), i.name(), i.guardian(), i.expiresAt(), sig);
  }

  /** Signs and encodes; {@code guardian} must be the invite's guardian. */
  public static String encode(Invite invite, Identity guardian) {
    if (!guardian.publicKeyHex().equals(invite.guardian())) {
      throw new IllegalArgumentException("the invite names another guardian than the signing key");
    }
    return encode(invite, Hex.decode(guardian.sign(message(invite))));
  }

  static String encode(Invite invite, byte[] signature) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("id", invite.id()).put("chain", invite.blockchainId()).put("genesis", invite.genesisHash())
        .put("relay", invite.relayUrl()).put("genesis_url", invite.genesisUrl()).put("role", invite.role())
        .put("name", invite.name()).put("guardian", invite.guardian()).put("expires", invite.expiresAt());
    return PREFIX + B64.encodeToString(o.toString().getBytes(StandardCharsets.UTF_8)) + "."
        + B64.encodeToString(signature);
  }

  /** Parses and verifies the signature; does not look at the clock or the chain (see {@link #check}). */
  public static Invite decode(String code) throws InviteException {
    String c = code == null ? "" : code.strip();
    if (!c.startsWith(PREFIX)) {
      throw new InviteException("this is not a kinmesh invite code (one starts with '" + PREFIX
          + "'; copy the whole line that kinmesh invite printed)");
    }
    if (c.length() > MAX_CODE_CHARS) {
      throw new InviteException("invite code is too long (" + c.length() + " characters): copy only the one line");
    }
    String[] parts = c.substring(PREFIX.length()).split("\\.", -1);
    if (parts.length != 2) {
      throw new InviteException("invite code is damaged: expected two parts after '" + PREFIX
          + "' separated by '.'; copy the whole line again");
    }
    byte[] body = base64(parts[0], "body");
    byte[] sig = base64(parts[1], "signature");
    Invite invite = parseBody(body);
    if (sig.length != Ed25519.SIGNATURE_BYTES || !Ed25519.verify(Hex.decode(invite.guardian()), sig, message(invite))) {
      throw new InviteException("invite code's signature does not match its content: it was changed or damaged;"
          + " ask the guardian for a new one");
    }
    return invite;
  }

  /** Refuses an expired invite, or one for another chain (id or genesis differ). */
  public static void check(Invite invite, long nowSecs, String blockchainId, String genesisHash) throws InviteException {
    checkExpiry(invite, nowSecs);
    if (!invite.blockchainId().equals(blockchainId) || !invite.genesisHash().equals(genesisHash)) {
      throw new InviteException("invite is for chain '" + invite.blockchainId() + "' with genesis "
          + invite.genesisHash().substring(0, 12) + "…, but this is chain '" + blockchainId + "' with genesis "
          + genesisHash.substring(0, 12) + "…; ask a guardian of this family for an invite");
    }
  }

  public static void checkExpiry(Invite invite, long nowSecs) throws InviteException {
    if (nowSecs >= invite.expiresAt()) {
      throw new InviteException("invite expired at " + java.time.Instant.ofEpochSecond(invite.expiresAt())
          + " (now " + java.time.Instant.ofEpochSecond(nowSecs) + "); ask the guardian for a new one:"
          + " kinmesh invite --key GUARDIAN_KEY --" + invite.role() + " --ttl 24h");
    }
  }

  private static byte[] base64(String part, String what) throws InviteException {
    byte[] bytes;
    try {
      bytes = UNB64.decode(part);
    } catch (IllegalArgumentException e) {
      throw new InviteException("invite code is damaged (its " + what + " is not base64url); copy the whole line again");
    }
    // Java's decoder accepts non-zero trailing bits: only the canonical form is one code per content.
    if (part.isEmpty() || !B64.encodeToString(bytes).equals(part)) {
      throw new InviteException("invite code is damaged (its " + what + " is not canonical base64url);"
          + " copy the whole line again");
    }
    return bytes;
  }

  private static Invite parseBody(byte[] body) throws InviteException {
    try {
      StrictJson j = StrictJson.parse(body, MAX_CODE_CHARS);
      for (Iterator<String> it = j.node().fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (!FIELDS.contains(f)) {
          throw WireException.malformed("unknown field '" + f + "'");
        }
      }
      String role = j.requireString("role");
      if (!role.equals("consensus") && !role.equals("member")) {
        throw WireException.malformed("field 'role' must be consensus or member");
      }
      JsonNode expires = j.node().get("expires");
      if (expires == null || !expires.isIntegralNumber()) {
        throw WireException.malformed("field 'expires' must be an integer");
      }
      return new Invite(j.requireString("id"), j.requireString("chain"), j.requireString("genesis"),
          j.requireString("relay"), j.requireString("genesis_url"), role.equals("consensus"), j.requireString("name"),
          j.requireString("guardian"), j.requireLong("expires"));
    } catch (WireException | IllegalArgumentException e) {
      throw new InviteException("invite code is damaged: " + e.getMessage() + "; ask the guardian for a new one");
    }
  }
}
