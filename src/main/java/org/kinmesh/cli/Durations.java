package org.kinmesh.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations on the command line: a whole number and a unit (500ms, 30s, 10m, 2h, 7d). Pure. */
final class Durations {
  private static final Pattern FORM = Pattern.compile("([0-9]{1,9})(ms|s|m|h|d)");

  private Durations() {}

  static Duration parse(String option, String text) throws Cli.UsageException {
    Matcher m = FORM.matcher(text == null ? "" : text);
    if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
      throw new Cli.UsageException(option + " must be a positive whole number and a unit, e.g. 500ms, 30s, 10m, 2h"
          + " or 7d (got '" + text + "')");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }

  /** The short form back (for messages): 30s, 10m, 1500ms. */
  static String format(Duration d) {
    if (d.toMillis() % 1000 != 0) {
      return d.toMillis() + "ms";
    }
    long s = d.toSeconds();
    if (s % 86_400 == 0) {
      return s / 86_400 + "d";
    }
    if (s % 3600 == 0) {
      return s / 3600 + "h";
    }
    return s % 60 == 0 ? s / 60 + "m" : s + "s";
  }
}
