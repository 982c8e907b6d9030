package org.kinmesh.chain;

import java.util.regex.Pattern;

/**
 * Rules for the free-text fields of transactions (reason, display_name). No field on chain may
 * hold a network address, so text that looks like one (dotted quad, IPv6 literal, host:port) is
 * refused; the same patterns drive the address-scan test.
 */
public final class TextRules {
  public static final int MAX_REASON_CHARS = 256;
  public static final int MAX_DISPLAY_NAME_CHARS = 64;

  /** Dotted quad of 1-3 digit groups not glued to other digits or dots. */
  public static final Pattern IPV4 = Pattern.compile("(?<![0-9.])\\d{1,3}(\\.\\d{1,3}){3}(?![0-9])");
  /** Hex groups joined by at least two colons (covers ::, ::1, fe80::1, full forms). */
  public static final Pattern IPV6 = Pattern.compile(
      "(?<![0-9A-Za-z:])(([0-9A-Fa-f]{1,4})?:){2,7}([0-9A-Fa-f]{1,4})?(?![0-9A-Za-z:])");
  /** A host name, bracketed literal or dotted quad followed by :port. */
  public static final Pattern HOST_PORT = Pattern.compile(
      "(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9-]*[A-Za-z][A-Za-z0-9.-]*|\\d{1,3}(\\.\\d{1,3}){3}):\\d{1,5}(?![0-9])");

  private TextRules() {}

  /** True when the text contains something shaped like an IP literal or host:port. */
  public static boolean looksLikeAddress(CharSequence text) {
    return IPV4.matcher(text).find() || IPV6.matcher(text).find() || HOST_PORT.matcher(text).find();
  }

  /** Null when acceptable, else why not. */
  public static String checkText(String field, String value, int minChars, int maxChars) {
    int n = value.codePointCount(0, value.length());
    if (n < minChars || n > maxChars) {
      return "field '" + field + "' must be " + minChars + "-" + maxChars + " characters";
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
        return "field '" + field + "' cannot hold control characters or line breaks";
      }
    }
    if (!java.nio.charset.StandardCharsets.UTF_8.newEncoder().canEncode(value)) {
      return "field '" + field + "' holds an unpaired surrogate";
    }
    if (looksLikeAddress(value)) {
      return "field '" + field + "' looks like a network address; addresses never go on chain";
    }
    return null;
  }
}
