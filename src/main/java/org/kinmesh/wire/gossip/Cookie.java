package org.kinmesh.wire.gossip;

import io.vertx.core.json.JsonObject;
import org.kinmesh.crypto.Hex;
import org.kinmesh.wire.FieldReader;
import org.kinmesh.wire.StrictJson;
import org.kinmesh.wire.WireException;

/**
 * The cookie reply to a UDP pull from an address not yet verified (docs/gossip.md, "Cookies";
 * type byte 0x04): {@code {"type": "cookie", "for", "cookie"}}. {@code for} is the first 32
 * hex characters of the answered pull's signature, so only the real puller (or someone on its
 * path) can use the reply; {@code cookie} is 32 lowercase hex characters, echoed by the puller
 * as the pull's optional {@code "cookie"} field (outside the pull's signed message).
 */
public record Cookie(String forSig, String cookie) {
  public static final int HEX_CHARS = 32;

  public static Cookie parse(StrictJson json) throws WireException {
    FieldReader r = new FieldReader(json);
    if (!"cookie".equals(r.string("type"))) {
      throw WireException.malformed("type must be 'cookie'");
    }
    return new Cookie(hex16(json, "for"), hex16(json, "cookie"));
  }

  /** The pull signature prefix a cookie reply names. */
  public static String forPull(Pull p) {
    return p.sig().substring(0, HEX_CHARS);
  }

  /** The optional cookie a pull echoes; null when absent, malformed when present but not 32 lowercase hex. */
  public static String echoed(StrictJson pull) throws WireException {
    return pull.has("cookie") ? hex16(pull, "cookie") : null;
  }

  /** The pull's JSON with the cookie echoed (null: none). */
  public static JsonObject attach(JsonObject pull, String cookie) {
    return cookie == null ? pull : pull.copy().put("cookie", cookie);
  }

  public JsonObject toJson() {
    return new JsonObject().put("type", "cookie").put("for", forSig).put("cookie", cookie);
  }

  private static String hex16(StrictJson json, String field) throws WireException {
    String v = json.requireString(field);
    if (!Hex.isLowerHex(v, HEX_CHARS / 2)) {
      throw WireException.malformed("field '" + field + "' must be " + HEX_CHARS + " lowercase hex characters");
    }
    return v;
  }
}
