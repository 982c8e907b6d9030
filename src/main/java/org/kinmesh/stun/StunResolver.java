package org.kinmesh.stun;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolves configured STUN servers to addresses the socket can reach (IPv4 only for an IPv4
 * socket), on a worker thread. A name that does not resolve becomes a failed outcome, not an error.
 */
public final class StunResolver {
  private StunResolver() {}

  /** Servers in configured order; {@code failures} name the ones left out and why. */
  public record Resolved(List<StunServer> servers, List<ServerOutcome> failures) {}

  public static Future<Resolved> resolve(Vertx vertx, List<ServerSpec> specs, boolean ipv4Only) {
    List<Future<Object>> each = new ArrayList<>();
    for (ServerSpec spec : specs) {
      each.add(vertx.executeBlocking(() -> {
        try {
          for (InetAddress a : InetAddress.getAllByName(spec.host())) {
            if (!ipv4Only || a instanceof Inet4Address) {
              return (Object) new StunServer(spec.toString(), new InetSocketAddress(a, spec.port()));
            }
          }
          return ServerOutcome.failed(spec.toString(), null, "no " + (ipv4Only ? "IPv4 " : "") + "address");
        } catch (java.net.UnknownHostException e) {
          return ServerOutcome.failed(spec.toString(), null, "cannot resolve " + spec.host());
        }
      }, false));
    }
    return Future.join(each).transform(done -> {
      List<StunServer> servers = new ArrayList<>();
      List<ServerOutcome> failures = new ArrayList<>();
      for (int i = 0; i < each.size(); i++) {
        Object r = each.get(i).result();
        if (r instanceof StunServer s) {
          servers.add(s);
        } else if (r instanceof ServerOutcome f) {
          failures.add(f);
        } else {
          failures.add(ServerOutcome.failed(specs.get(i).toString(), null, "cannot resolve: "
              + each.get(i).cause().getMessage()));
        }
      }
      return Future.succeededFuture(new Resolved(servers, failures));
    });
  }
}
