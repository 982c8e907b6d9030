package org.kinmesh.relay;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.kinmesh.wire.WireRules;

/**
 * Opaque lookup tokens (PROTOCOL.md §2.1): base64url("id\nkey\nexpiry") "." base64url(HMAC-SHA256).
 * Only the relay holds the MAC key, so only it can mint or check them; a token needs no
 * signature verification to use.
 */
public final class SessionTokens {
  public static final int MAX_TOKEN_CHARS = 512;

  /** What a valid token says. */
  public record Claims(String blockchainId, String publicKey, long expiresAt) {}

  private static final Base64.Encoder ENC = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DEC = Base64.getUrlDecoder();
  private final SecretKeySpec key;
  /** Mac objects are not thread-safe and costly to look up; one per thread. */
  private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::newMac);

  public SessionTokens(byte[] macKey) {
    if (macKey.length < 32) {
      throw new IllegalArgumentException("token MAC key must be at least 32 bytes");
    }
    this.key = new SecretKeySpec(macKey.clone(), "HmacSHA256");
  }

  public String issue(String blockchainId, String publicKey, long expiresAt) {
    byte[] claims = (blockchainId + "\n" + publicKey + "\n" + expiresAt).getBytes(StandardCharsets.UTF_8);
    return ENC.encodeToString(claims) + "." + ENC.encodeToString(mac(claims));
  }

  /** The claims of an authentic token (expiry not checked here), or null for anything else. */
  public Claims verify(String token) {
    if (token == null || token.length() > MAX_TOKEN_CHARS) {
      return null;
    }
    int dot = token.indexOf('.');
    if (dot <= 0 || dot != token.lastIndexOf('.')) {
      return null;
    }
    byte[] claims;
    byte[] tag;
    try {
      claims = DEC.decode(token.substring(0, dot));
      tag = DEC.decode(token.substring(dot + 1));
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (!MessageDigest.isEqual(mac(claims), tag)) {
      return null;
    }
    String[] parts = new String(claims, StandardCharsets.UTF_8).split("\n", -1);
    if (parts.length != 3 || !WireRules.isBlockchainId(parts[0]) || !WireRules.isPublicKeyHex(parts[1])) {
      return null;
    }
    try {
      return new Claims(parts[0], parts[1], Long.parseLong(parts[2]));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private byte[] mac(byte[] data) {
    return macs.get().doFinal(data);
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
