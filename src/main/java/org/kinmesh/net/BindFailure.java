package org.kinmesh.net;

import java.net.BindException;

/**
 * Turns a bare "Address already in use" into a message that names the address and the config
 * key to change (issue 12.7). Other failures pass through unchanged.
 */
public final class BindFailure {
  private BindFailure() {}

  /**
   * @param what "TCP" or "UDP"; {@code configKeys} e.g. "api_listen" or "gossip_udp_port (or listen_host)"
   */
  public static Throwable describe(Throwable e, String what, String host, int port, String configKeys) {
    if (!isAddressInUse(e)) {
      return e;
    }
    String addr = host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
    return new BindException("cannot listen on " + what + " " + addr + ": address already in use; stop what holds it"
        + " or change " + configKeys + " in the config");
  }

  static boolean isAddressInUse(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException || (t.getMessage() != null && t.getMessage().contains("Address already in use"))) {
        return true;
      }
    }
    return false;
  }
}
