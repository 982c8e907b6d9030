package org.kinmesh.bus;

import java.util.regex.Pattern;

/**
 * Where one node's messages live on a Vert.x event bus. The public addresses a host uses are
 * {@code <namespace>.<name>} (kinmesh.chain.submit); the wiring between the node's own verticles is
 * {@code <namespace>.internal.<name>}, consumed with local consumers only, so it never crosses a
 * clustered bus. One node per namespace in a Vert.x instance (the node refuses to start beside
 * another one with the same namespace), so the internal scope is unique per node too.
 */
public record BusScope(String namespace) {
  /** Dot-separated lowercase segments; "internal" is reserved so a namespace never overlaps another's wiring. */
  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9_-]{1,32}(\\.[a-z0-9_-]{1,32}){0,7}");
  public static final String DEFAULT_NAMESPACE = "kinmesh";
  public static final BusScope DEFAULT = new BusScope(DEFAULT_NAMESPACE);

  public BusScope {
    String problem = problem(namespace);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
  }

  /** Why {@code namespace} is not a valid bus namespace, or null when it is. */
  public static String problem(String namespace) {
    if (namespace == null || !NAMESPACE.matcher(namespace).matches()) {
      return "bus namespace '" + namespace + "' is not valid: use 1 to 8 dot-separated segments of a-z, 0-9, '_'"
          + " or '-' (each at most 32 characters), e.g. 'kinmesh' or 'family.chain2'";
    }
    for (String segment : namespace.split("\\.")) {
      if (segment.equals("internal")) {
        return "bus namespace '" + namespace + "' uses the reserved segment 'internal' (the node's own wiring lives"
            + " under <namespace>.internal): pick another name";
      }
    }
    return null;
  }

  /** A public address of this node: {@code <namespace>.<name>}. */
  public String publicAddress(String name) {
    return namespace + "." + name;
  }

  /** An internal address of this node: {@code <namespace>.internal.<name>}; consume it with a local consumer. */
  public String internal(String name) {
    return namespace + ".internal." + name;
  }
}
