package org.kinmesh.gossip;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.kinmesh.crypto.Hex;
import org.kinmesh.util.TimeSource;
import org.kinmesh.wire.gossip.Endpoint;

/**
 * Return-routability cookies for UDP pulls (issue 13.6), as WireGuard's cookie reply and
 * QUIC's Retry: a pull from an address that has not shown it receives our datagrams gets only
 * a small cookie, and the full delta answer goes to a pull that echoes a valid cookie for its
 * source address. So a spoofed source gets at most one datagram smaller than the pull.
 *
 * <p>Cookie = HMAC-SHA256(secret, "kinmesh-cookie-v1\n" ip "\n" port), first 16 bytes. The
 * secret is rotated every {@link #ROTATE_MS}; the previous one is still accepted, so a cookie
 * lives 2 to 4 minutes. An address that echoed a valid cookie stays verified for
 * {@link #VERIFIED_MS} (at most {@link #MAX_VERIFIED} addresses, least recently proven go
 * first). Pure: clock and secrets injected; nothing is persisted (after a restart every
 * address proves itself again, one round trip).
 */
public final class PullCookies {
  public static final long ROTATE_MS = 120_000;
  public static final long VERIFIED_MS = 600_000;
  public static final int MAX_VERIFIED = 4_096;
  public static final int COOKIE_BYTES = 16;
  public static final int SECRET_BYTES = 32;
  private static final String LABEL = "kinmesh-cookie-v1";

  private final TimeSource clock;
  private final Supplier<byte[]> secrets;
  private byte[] current;
  private byte[] previous;
  private long rotatedAtMs;
  private final Map<Endpoint, Long> verified = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Endpoint, Long> eldest) {
      return size() > MAX_VERIFIED;
    }
  };

  public PullCookies(TimeSource clock, Supplier<byte[]> secrets) {
    this.clock = clock;
    this.secrets = secrets;
    this.current = secret();
    this.rotatedAtMs = clock.nowMillis();
  }

  /** Fresh 32-byte secrets from a SecureRandom (the node's default). */
  public static Supplier<byte[]> secureSecrets() {
    SecureRandom random = new SecureRandom();
    return () -> {
      byte[] s = new byte[SECRET_BYTES];
      random.nextBytes(s);
      return s;
    };
  }

  /** The cookie for a source address under the current secret, as 32 lowercase hex characters. */
  public String issue(Endpoint source) {
    rotate();
    return Hex.encode(mac(current, source));
  }

  /** True when the cookie was issued for this very address under the current or the previous secret. */
  public boolean valid(Endpoint source, String cookie) {
    if (cookie == null || !Hex.isLowerHex(cookie, COOKIE_BYTES)) {
      return false;
    }
    rotate();
    byte[] given = Hex.decode(cookie);
    boolean ok = MessageDigest.isEqual(given, mac(current, source));
    return ok | (previous != null && MessageDigest.isEqual(given, mac(previous, source)));
  }

  /**
   * May a pull from {@code source} carrying {@code cookie} (null: none) get the full answer?
   * Yes when the address is still verified, or the cookie is valid (which verifies it anew).
   */
  public boolean admit(Endpoint source, String cookie) {
    long now = clock.nowMillis();
    if (valid(source, cookie)) {
      verified.put(source, now);
      return true;
    }
    Long at = verified.get(source);
    if (at != null && now - at < VERIFIED_MS) {
      return true;
    }
    if (at != null) {
      verified.remove(source);
    }
    return false;
  }

  /** Addresses currently remembered as verified (expired ones included until they are next asked about). */
  public int verifiedCount() {
    return verified.size();
  }

  private void rotate() {
    long now = clock.nowMillis();
    long age = now - rotatedAtMs;
    if (age >= 2 * ROTATE_MS || age < 0) {
      // Idle for two periods (or the clock stepped back): neither secret may live on.
      Arrays.fill(current, (byte) 0);
      previous = null;
      current = secret();
      rotatedAtMs = now;
    } else if (age >= ROTATE_MS) {
      previous = current;
      current = secret();
      rotatedAtMs += ROTATE_MS;
    }
  }

  private byte[] secret() {
    byte[] s = secrets.get();
    if (s == null || s.length < 16) {
      throw new IllegalStateException("cookie secrets must be at least 16 bytes");
    }
    return s.clone();
  }

  static byte[] mac(byte[] secret, Endpoint source) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      byte[] full = mac.doFinal((LABEL + "\n" + source.ip() + "\n" + source.port()).getBytes(StandardCharsets.UTF_8));
      return Arrays.copyOf(full, COOKIE_BYTES);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
