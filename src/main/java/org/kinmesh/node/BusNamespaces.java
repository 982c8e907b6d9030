package org.kinmesh.node;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;

/**
 * Which bus_namespace each running node of one Vert.x instance holds. Two nodes in one namespace would
 * consume each other's addresses (a submit could land on the other chain), so the second is refused at
 * start with an error that says how to fix it.
 */
final class BusNamespaces {
  private static final String MAP = "kinmesh.node.bus_namespaces";

  private BusNamespaces() {}

  /** A node's hold on its namespace; the holder text names the node in the refusal. */
  record Claim(String namespace, String holder) {}

  /** Takes the claim's namespace in this Vert.x; null when it was free, else why the node cannot start. */
  static String claim(Vertx vertx, Claim claim) {
    LocalMap<String, String> held = vertx.sharedData().getLocalMap(MAP);
    String other = held.putIfAbsent(claim.namespace(), claim.holder() + "@" + System.identityHashCode(claim));
    if (other == null) {
      return null;
    }
    return "bus_namespace '" + claim.namespace() + "' is already used by another node in this Vert.x instance ("
        + "node " + other.substring(0, other.indexOf('@')) + "): give each node that shares a Vert.x its own"
        + " bus_namespace (config key bus_namespace or env BUS_NAMESPACE; docs/embedding.md)";
  }

  /** Gives the namespace back if this claim holds it (a refused node must not free the running one's). */
  static void release(Vertx vertx, Claim claim) {
    vertx.sharedData().<String, String>getLocalMap(MAP).remove(claim.namespace(),
        claim.holder() + "@" + System.identityHashCode(claim));
  }
}
