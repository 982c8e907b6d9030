package org.kinmesh.wire;

import java.util.regex.Pattern;
import org.kinmesh.crypto.Hex;

/** Field rules of PROTOCOL.md §1 (ids, addresses, ports, timestamps, hex), as pure checks. */
public final class WireRules {
  public static final long MAX_TIMESTAMP = 1L << 53;
  public static final int MAX_MESSAGE_BYTES = 65_536;
  private static final Pattern BLOCKCHAIN_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private WireRules() {}

  public static boolean isBlockchainId(String s) {
    return s != null && BLOCKCHAIN_ID.matcher(s).matches();
  }

  public static boolean isPublicKeyHex(String s) {
    return Hex.isLowerHex(s, 32);
  }

  public static boolean isSignatureHex(String s) {
    return Hex.isLowerHex(s, 64);
  }

  public static boolean isSha256Hex(String s) {
    return Hex.isLowerHex(s, 32);
  }

  public static boolean isPort(long p) {
    return p >= 1 && p <= 65_535;
  }

  public static boolean isTimestamp(long t) {
    return t >= 0 && t <= MAX_TIMESTAMP;
  }

  /** IPv4 dotted quad or RFC 5952 canonical IPv6; no names, zones or IPv4-mapped forms. */
  public static boolean isIp(String s) {
    return s != null && (isIpv4(s) || isCanonicalIpv6(s));
  }

  public static boolean isIpv4(String s) {
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')) {
        return false;
      }
      for (int i = 0; i < p.length(); i++) {
        if (p.charAt(i) < '0' || p.charAt(i) > '9') {
          return false;
        }
      }
      if (Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }

  /** True when s parses as IPv6 and equals its own RFC 5952 canonical text and is not IPv4-mapped. */
  public static boolean isCanonicalIpv6(String s) {
    int[] groups = parseIpv6(s);
    if (groups == null) {
      return false;
    }
    boolean mapped = groups[0] == 0 && groups[1] == 0 && groups[2] == 0 && groups[3] == 0 && groups[4] == 0
        && groups[5] == 0xffff;
    return !mapped && canonicalIpv6(groups).equals(s);
  }

  /**
   * The canonical text of an IP literal as a socket reports it: IPv4 dotted quad, RFC 5952 IPv6,
   * IPv4-mapped IPv6 as IPv4, zone id dropped. Returns the input unchanged if it is not a literal.
   */
  public static String canonicalIp(String text) {
    if (text == null) {
      return null;
    }
    String s = text;
    int zone = s.indexOf('%');
    if (zone >= 0) {
      s = s.substring(0, zone);
    }
    if (s.startsWith("[") && s.endsWith("]")) {
      s = s.substring(1, s.length() - 1);
    }
    if (s.indexOf(':') < 0) {
      return s;
    }
    int lastColon = s.lastIndexOf(':');
    String v4Tail = s.indexOf('.') >= 0 ? s.substring(lastColon + 1) : null;
    if (v4Tail != null) {
      // ::ffff:a.b.c.d or other embedded-IPv4 forms
      String head = s.substring(0, lastColon + 1);
      if ((head.equalsIgnoreCase("::ffff:") || head.equalsIgnoreCase("0:0:0:0:0:ffff:")) && isIpv4(v4Tail)) {
        return v4Tail;
      }
      return text;
    }
    int[] g = parseIpv6(s.toLowerCase(java.util.Locale.ROOT));
    if (g == null) {
      return text;
    }
    if (g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xffff) {
      return (g[6] >> 8) + "." + (g[6] & 0xff) + "." + (g[7] >> 8) + "." + (g[7] & 0xff);
    }
    return canonicalIpv6(g);
  }

  /** RFC 5952 text for eight 16-bit groups: lowercase, no leading zeros, longest zero run (≥2) as ::. */
  public static String canonicalIpv6(int[] groups) {
    int bestStart = -1;
    int bestLen = 0;
    for (int i = 0; i < 8; ) {
      if (groups[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    if (bestLen < 2) {
      bestStart = -1;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLen - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(groups[i]));
    }
    return sb.toString();
  }

  /** Parses IPv6 text (hex groups and ::, no embedded IPv4, no zone) into 8 groups, or null. */
  static int[] parseIpv6(String s) {
    if (s == null || s.isEmpty() || s.length() > 39 || s.indexOf('%') >= 0 || s.indexOf('.') >= 0) {
      return null;
    }
    int dbl = s.indexOf("::");
    if (dbl >= 0 && s.indexOf("::", dbl + 1) >= 0) {
      return null;
    }
    String head = dbl >= 0 ? s.substring(0, dbl) : s;
    String tail = dbl >= 0 ? s.substring(dbl + 2) : "";
    int[] headGroups = parseGroups(head);
    int[] tailGroups = parseGroups(tail);
    if (headGroups == null || tailGroups == null) {
      return null;
    }
    int total = headGroups.length + tailGroups.length;
    if ((dbl < 0 && total != 8) || (dbl >= 0 && total > 7)) {
      return null;
    }
    int[] out = new int[8];
    System.arraycopy(headGroups, 0, out, 0, headGroups.length);
    System.arraycopy(tailGroups, 0, out, 8 - tailGroups.length, tailGroups.length);
    return out;
  }

  private static int[] parseGroups(String part) {
    if (part.isEmpty()) {
      return new int[0];
    }
    String[] items = part.split(":", -1);
    int[] out = new int[items.length];
    for (int i = 0; i < items.length; i++) {
      String g = items[i];
      if (g.isEmpty() || g.length() > 4) {
        return null;
      }
      int v = 0;
      for (int k = 0; k < g.length(); k++) {
        int d = Character.digit(g.charAt(k), 16);
        if (d < 0) {
          return null;
        }
        v = v * 16 + d;
      }
      out[i] = v;
    }
    return out;
  }
}
