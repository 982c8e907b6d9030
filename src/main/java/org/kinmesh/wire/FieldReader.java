package org.kinmesh.wire;

/** Reads and checks the typed fields of a signed JSON message, answering {@code malformed} on any rule broken. */
public final class FieldReader {
  private final StrictJson json;

  public FieldReader(StrictJson json) {
    this.json = json;
  }

  public String blockchainId(String field) throws WireException {
    String v = json.requireString(field);
    if (!WireRules.isBlockchainId(v)) {
      throw WireException.malformed("field '" + field + "' must be 1-64 characters of [A-Za-z0-9._-]");
    }
    return v;
  }

  public String publicKey(String field) throws WireException {
    String v = json.requireString(field);
    if (!WireRules.isPublicKeyHex(v)) {
      throw WireException.malformed("field '" + field + "' must be 64 lowercase hex characters");
    }
    return v;
  }

  public String signature(String field) throws WireException {
    String v = json.requireString(field);
    if (!WireRules.isSignatureHex(v)) {
      throw WireException.malformed("field '" + field + "' must be 128 lowercase hex characters");
    }
    return v;
  }

  public String sha256(String field) throws WireException {
    String v = json.requireString(field);
    if (!WireRules.isSha256Hex(v)) {
      throw WireException.malformed("field '" + field + "' must be 64 lowercase hex characters");
    }
    return v;
  }

  public String ip(String field) throws WireException {
    String v = json.requireString(field);
    if (!WireRules.isIp(v)) {
      throw WireException.malformed("field '" + field
          + "' must be an IPv4 dotted quad or canonical (RFC 5952) IPv6 address");
    }
    return v;
  }

  public int port(String field) throws WireException {
    long v = json.requireLong(field);
    if (!WireRules.isPort(v)) {
      throw WireException.malformed("field '" + field + "' must be 1-65535");
    }
    return (int) v;
  }

  public long timestamp(String field) throws WireException {
    long v = json.requireLong(field);
    if (!WireRules.isTimestamp(v)) {
      throw WireException.malformed("field '" + field + "' must be Unix seconds from 0 to 2^53");
    }
    return v;
  }

  public String string(String field) throws WireException {
    return json.requireString(field);
  }

  public StrictJson json() {
    return json;
  }
}
