package org.kinmesh.cli;

import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.kinmesh.stun.LocalAddresses;
import org.kinmesh.stun.ProbeResult;
import org.kinmesh.stun.ProbeSettings;
import org.kinmesh.stun.ServerOutcome;
import org.kinmesh.stun.ServerSpec;
import org.kinmesh.stun.StunClient;
import org.kinmesh.stun.StunJson;
import org.kinmesh.stun.StunResolver;
import org.kinmesh.stun.StunSocketVerticle;
import org.kinmesh.wire.WireRules;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "stun", mixinStandardHelpOptions = true,
    description = "Ask STUN servers for this host's public endpoint and classify its NAT (open, full_cone,"
        + " restricted, port_restricted, symmetric, unknown; docs/stun.md). Servers are tried in order,"
        + " 5 s each; the first answer wins. Exit 0 when a server answered, 1 when none did, 2 on bad usage.")
final class StunCommand implements Callable<Integer> {
  @Parameters(paramLabel = "SERVER[:PORT]", arity = "0..*",
      description = "STUN servers: host, host:port, ip:port or [ipv6]:port (port 3478 when omitted);"
          + " default: " + "stun.l.google.com:19302 stun.cloudflare.com:3478 stun.stunprotocol.org:3478")
  List<String> servers = new ArrayList<>();

  @Option(names = "--json", description = "print {\"public_ip\", \"public_port\", \"nat_type\", \"servers\": [...], ...}")
  boolean json;

  @Option(names = "--local-port", paramLabel = "P", defaultValue = "0",
      description = "UDP port to send from (default 0: any free port); use the node's port to see its mapping")
  int localPort;

  @Option(names = "--local-address", paramLabel = "IP", defaultValue = "0.0.0.0",
      description = "address to bind (default 0.0.0.0; :: for IPv6 servers)")
  String localAddress;

  @Override
  public Integer call() throws Cli.UsageException {
    if (localPort < 0 || localPort > 65_535) {
      throw new Cli.UsageException("--local-port must be 0-65535, got " + localPort);
    }
    String bind = WireRules.canonicalIp(localAddress);
    if (!WireRules.isIp(bind)) {
      throw new Cli.UsageException("--local-address must be an IP address, got '" + localAddress + "'");
    }
    List<ServerSpec> specs = new ArrayList<>();
    for (String s : servers.isEmpty() ? ServerSpec.PUBLIC_DEFAULTS : servers) {
      try {
        specs.add(ServerSpec.parse(s));
      } catch (IllegalArgumentException e) {
        throw new Cli.UsageException(e.getMessage());
      }
    }
    Vertx vertx = Vertx.vertx();
    try {
      StunSocketVerticle socket = new StunSocketVerticle(bind, localPort);
      try {
        Cli.await(vertx.deployVerticle(socket), 10);
      } catch (ExecutionException | TimeoutException e) {
        System.err.println("kinmesh stun: cannot bind UDP " + bind + ":" + localPort + ": "
            + (e.getCause() == null ? e : e.getCause()).getMessage());
        return ExitCodes.FAILURE;
      }
      StunResolver.Resolved resolved = Cli.await(StunResolver.resolve(vertx, specs, socket.ipv4()), 30);
      var local = Cli.await(vertx.executeBlocking(LocalAddresses::current), 10);
      // 5 s per server, and the RFC 5780 tests after the first answer: bounded by the probe itself
      long budget = 5L * specs.size() + 30;
      ProbeResult r = Cli.await(socket.probe(resolved.servers(), local, ProbeSettings.DEFAULT), budget);
      System.out.println(json ? StunJson.report(r, resolved.failures()).encode() : text(r, resolved.failures()));
      return r.publicEndpoint() == null ? ExitCodes.FAILURE : ExitCodes.OK;
    } catch (ExecutionException | TimeoutException e) {
      System.err.println("kinmesh stun: " + (e.getCause() == null ? e : e.getCause()).getMessage());
      return ExitCodes.FAILURE;
    } finally {
      Cli.close(vertx);
    }
  }

  private static String text(ProbeResult r, List<ServerOutcome> unresolved) {
    StringBuilder sb = new StringBuilder();
    if (r.publicEndpoint() == null) {
      sb.append("public endpoint: none (no STUN server answered)\n");
    } else {
      sb.append("public endpoint: ").append(StunClient.endpointText(r.publicEndpoint())).append('\n');
    }
    sb.append("NAT type:        ").append(r.natType().wire()).append(" (mapping ")
        .append(r.classification().mapping().wire()).append(", filtering ")
        .append(r.classification().filtering().wire()).append(")\n");
    sb.append("took:            ").append(r.elapsedMillis()).append(" ms\n");
    List<ServerOutcome> all = new ArrayList<>(unresolved);
    all.addAll(r.servers());
    for (ServerOutcome o : all) {
      sb.append("  ").append(o.server());
      if (o.address() != null) {
        sb.append(" (").append(StunClient.endpointText(o.address())).append(')');
      }
      if (o.ok()) {
        sb.append(": mapped ").append(StunClient.endpointText(o.mapped())).append(", rtt ").append(o.rttMillis())
            .append(" ms");
        if (o.otherAddress() != null) {
          sb.append(", other address ").append(StunClient.endpointText(o.otherAddress()));
        }
      } else {
        sb.append(": ").append(o.error());
      }
      sb.append('\n');
    }
    return sb.toString().stripTrailing();
  }
}
