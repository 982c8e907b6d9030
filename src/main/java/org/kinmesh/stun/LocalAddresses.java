package org.kinmesh.stun;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;

/** This host's interface addresses (a blocking call: run it on a worker). */
public final class LocalAddresses {
  private LocalAddresses() {}

  /** The addresses of every interface that is up; empty if the list cannot be read. */
  public static Set<InetAddress> current() {
    Set<InetAddress> out = new HashSet<>();
    try {
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (nif.isUp()) {
          out.addAll(Collections.list(nif.getInetAddresses()));
        }
      }
    } catch (SocketException e) {
      // no list: nothing counts as local, so no mapped address is called "open"
    }
    return out;
  }
}
