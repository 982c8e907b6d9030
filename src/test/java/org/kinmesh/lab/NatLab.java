package org.kinmesh.lab;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;

/**
 * A running NAT lab (bin/natlab): network namespaces behind real nftables NAT routers, coturn
 * on the "internet" segment, a slot for the relay. Closing it kills what it spawned and tears
 * every namespace down; a JVM shutdown hook does the same if a test never reaches close.
 *
 * <p>Lab addresses (192.0.2.0/24, ...) exist only inside the lab: talk to them from a lab
 * namespace ({@link #exec}, {@link #spawn}), never from the test JVM, whose own routes lead
 * to the machine's real network.
 */
public final class NatLab implements AutoCloseable {
  /** NAT kinds; {@link #label()} is the name bin/natlab and the STUN classifier use. */
  public enum Kind {
    OPEN, FULL_CONE, RESTRICTED, PORT_RESTRICTED, SYMMETRIC;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Kind ofLabel(String label) {
      return valueOf(label.toUpperCase(Locale.ROOT));
    }
  }

  /** One host to build: its name, NAT kind, and the router it sits behind (null: its own). */
  public record Spec(String name, Kind kind, String router) {
    public Spec behind(String sharedRouter) {
      return new Spec(name, kind, sharedRouter);
    }

    String arg() {
      return name + ":" + kind.label() + (router == null ? "" : "@" + router);
    }
  }

  public static Spec spec(String name, Kind kind) {
    return new Spec(name, kind, null);
  }

  /** A host; {@code ip} is its own address (a LAN address behind a NAT); router is null when open. */
  public record Host(String name, Kind kind, String namespace, String ip, String router) {}

  /** A NAT router as of the last topology read; {@link NatLab#router} re-reads it. */
  public record Router(String name, Kind kind, String namespace, String lanIp, String externalIp) {}

  public record ExecResult(int exit, String out, String err) {
    public ExecResult orThrow() {
      if (exit != 0) {
        throw new IllegalStateException("exit " + exit + ": " + err.strip() + (out.isBlank() ? "" : "\n" + out.strip()));
      }
      return this;
    }
  }

  public static final int STUN_PORT = 3478;
  private static final Duration EXEC_TIMEOUT = Duration.ofSeconds(60);
  private static final AtomicInteger RUNS = new AtomicInteger();

  private final Path script;
  private final String runId;
  private final Path logDir;
  private final List<LabProcess> spawned = new CopyOnWriteArrayList<>();
  private final Thread shutdownHook;
  private volatile Map<String, Map<String, String>> topology;
  private volatile boolean closed;

  private NatLab(Path script, String runId, Path logDir) {
    this.script = script;
    this.runId = runId;
    this.logDir = logDir;
    this.shutdownHook = new Thread(this::teardown, "natlab-" + runId + "-teardown");
  }

  /** bin/natlab, from -Dkinmesh.natlab or the working directory (Maven runs tests from the project root). */
  public static Path script() {
    return Path.of(System.getProperty("kinmesh.natlab", "bin/natlab")).toAbsolutePath();
  }

  /** Why the lab cannot run here (not root, tools missing, no namespaces), or empty when it can. */
  public static Optional<String> unavailableReason() {
    Path s = script();
    if (!Files.isExecutable(s)) {
      return Optional.of(s + " not found or not executable");
    }
    try {
      ExecResult r = run(List.of(s.toString(), "check"), Duration.ofSeconds(30));
      return r.exit() == 0 ? Optional.empty() : Optional.of(r.err().strip());
    } catch (IOException e) {
      return Optional.of("cannot run " + s + ": " + e.getMessage());
    }
  }

  /** Why lab tests would be skipped and how to run them, or empty when the lab can run here. */
  public static Optional<String> skipMessage() {
    return unavailableReason().map(reason -> "NAT lab tests skipped: " + reason
        + ". They need root with iproute2, nftables, coturn and conntrack installed: run bin/test as root"
        + " (it installs them), as CI does.");
  }

  /**
   * Skips the calling test (a JUnit assumption) when the lab cannot run here, saying how to run
   * it. Call it from @BeforeEach: from @BeforeAll, Surefire counts no skipped tests at all.
   */
  public static void assumeAvailable() {
    Optional<String> skip = skipMessage();
    Assumptions.assumeTrue(skip.isEmpty(), () -> skip.orElse(""));
  }

  public static NatLab up(Spec... hosts) {
    return up(List.of(hosts));
  }

  /** Builds a lab with a fresh run id; fails (with bin/natlab's message) on bad specs. */
  public static NatLab up(List<Spec> hosts) {
    if (hosts.isEmpty()) {
      throw new IllegalArgumentException("a lab needs at least one host");
    }
    Path s = script();
    long pid = ProcessHandle.current().pid();
    String runId = "j" + Long.toString(pid, 36) + "x" + Integer.toString(RUNS.incrementAndGet(), 36);
    try {
      // runs left by a JVM that died without tearing down (its owner PID is gone)
      run(List.of(s.toString(), "down", "--stale"), EXEC_TIMEOUT);
      Path logs = Files.createTempDirectory("natlab-" + runId);
      NatLab lab = new NatLab(s, runId, logs);
      Runtime.getRuntime().addShutdownHook(lab.shutdownHook);
      String specs = hosts.stream().map(Spec::arg).collect(Collectors.joining(","));
      ExecResult r = run(List.of(s.toString(), "up", runId, "--hosts", specs, "--owner", Long.toString(pid)), EXEC_TIMEOUT);
      if (r.exit() != 0) {
        lab.close();
        throw new IllegalStateException("bin/natlab up failed: " + r.err().strip());
      }
      lab.topology = parse(r.out());
      return lab;
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + s + ": " + e.getMessage(), e);
    }
  }

  public String runId() {
    return runId;
  }

  public Host host(String name) {
    Map<String, String> h = element("host", name);
    String router = h.get("router");
    return new Host(name, Kind.ofLabel(h.get("kind")), h.get("ns"), h.get("ip"), "-".equals(router) ? null : router);
  }

  public List<Host> hosts() {
    return topology.keySet().stream().filter(k -> k.startsWith("host ")).map(k -> host(k.substring(5))).toList();
  }

  /** The router, with its external address read live (it changes with {@link #changeExternalIp}). */
  public Router router(String name) {
    refresh();
    Map<String, String> r = element("router", name);
    return new Router(name, Kind.ofLabel(r.get("kind")), r.get("ns"), r.get("lan"), r.get("external"));
  }

  /** The address the rest of the lab sees this host at: its own when open, else its router's external one. */
  public String publicIp(String host) {
    Host h = host(host);
    return h.router() == null ? h.ip() : router(h.router()).externalIp();
  }

  /** coturn: the primary then the alternate address, both on port 3478 (3479 is the RFC 5780 alternate port). */
  public List<InetSocketAddress> stunServers() {
    Map<String, String> st = element("stun", null);
    int port = Integer.parseInt(st.get("port"));
    return List.of(InetSocketAddress.createUnresolved(st.get("primary"), port),
        InetSocketAddress.createUnresolved(st.get("alternate"), port));
  }

  /** The relay slot's primary address (a relay spawned in target "relay" listens here). */
  public String relayIp() {
    return element("relay", null).get("ip");
  }

  /** The relay slot's second address (for the relay's stun_alternate). */
  public String relayAlternateIp() {
    return element("relay", null).get("alternate");
  }

  /** The coturn process id (for tests of the teardown). */
  public long stunPid() {
    return Long.parseLong(element("stun", null).get("pid"));
  }

  /** Network namespace of a target: a host name, "relay", "stun", "inet" or "router:NAME". */
  public String namespace(String target) {
    if (target.startsWith("router:")) {
      return element("router", target.substring("router:".length())).get("ns");
    }
    return switch (target) {
      case "relay", "stun", "inet" -> element(target, null).get("ns");
      default -> element("host", target).get("ns");
    };
  }

  /** Runs a command to completion inside a target's namespace. */
  public ExecResult exec(String target, List<String> command) {
    return exec(target, command, EXEC_TIMEOUT);
  }

  public ExecResult exec(String target, List<String> command, Duration timeout) {
    try {
      return run(inNamespace(target, command), timeout);
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + command + " in " + target + ": " + e.getMessage(), e);
    }
  }

  /** Starts a long-running command inside a target's namespace; killed by its close or the lab's. */
  public LabProcess spawn(String target, List<String> command) {
    return spawn(target, command, false);
  }

  /**
   * Same, with stderr merged into stdout, so a test can wait for log lines with
   * {@link LabProcess#awaitLine} (kinmesh logs to stderr).
   */
  public LabProcess spawnWithLogs(String target, List<String> command) {
    return spawn(target, command, true);
  }

  private LabProcess spawn(String target, List<String> command, boolean mergeStderr) {
    ensureOpen();
    try {
      Path err = Files.createTempFile(logDir, target.replace(':', '-') + "-", ".err");
      ProcessBuilder pb = new ProcessBuilder(inNamespace(target, command));
      Process p = (mergeStderr ? pb.redirectErrorStream(true) : pb.redirectError(err.toFile())).start();
      LabProcess lp = new LabProcess(target + " " + String.join(" ", command), p, err);
      spawned.add(lp);
      return lp;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + command + " in " + target + ": " + e.getMessage(), e);
    }
  }

  /** `java -cp <this test classpath> org.kinmesh.cli.Main args...`, for spawning kinmesh in the lab. */
  public static List<String> kinmeshCommand(String... args) {
    return kinmeshCommand(List.of(), args);
  }

  /** Same, with JVM options (e.g. -Dlogback.configurationFile=..., a lighter JIT for short-lived commands). */
  public static List<String> kinmeshCommand(List<String> jvmOptions, String... args) {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java));
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.kinmesh.cli.Main"));
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** Drops all traffic between two of: host names, "relay", "stun". */
  public void cut(String a, String b) {
    natlab("cut", runId, a, b);
  }

  public void uncut(String a, String b) {
    natlab("uncut", runId, a, b);
  }

  /** Forgets the router's NAT state: conntrack entries and cone mappings. */
  public void flushConntrack(String router) {
    natlab("flush-conntrack", runId, router);
  }

  /** Moves the router to the next free external address and returns it. */
  public String changeExternalIp(String router) {
    String ip = natlab("change-external-ip", runId, router).strip();
    refresh();
    return ip;
  }

  /** Runs bin/natlab with these arguments; its failure (with its message) becomes an exception. */
  public String natlab(String... args) {
    List<String> cmd = new ArrayList<>(List.of(script.toString()));
    cmd.addAll(List.of(args));
    try {
      return run(cmd, EXEC_TIMEOUT).orThrow().out();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Where spawned processes' stderr goes (kept after close, for diagnosing a failure). */
  public Path logDir() {
    return logDir;
  }

  @Override
  public void close() {
    teardown();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // already in the hook
    }
  }

  private synchronized void teardown() {
    if (closed) {
      return;
    }
    closed = true;
    for (LabProcess p : spawned) {
      p.close();
    }
    try {
      ExecResult r = run(List.of(script.toString(), "down", runId), EXEC_TIMEOUT);
      if (r.exit() != 0) {
        System.err.println("natlab: teardown of run " + runId + " failed: " + r.err().strip());
      }
    } catch (IOException e) {
      System.err.println("natlab: teardown of run " + runId + " failed: " + e.getMessage());
    }
    try (var files = Files.list(logDir)) {
      for (Path f : files.toList()) {
        Files.deleteIfExists(f);
      }
      Files.deleteIfExists(logDir);
    } catch (IOException e) {
      // only logs
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("lab " + runId + " is closed");
    }
  }

  private List<String> inNamespace(String target, List<String> command) {
    ensureOpen();
    if (command.isEmpty()) {
      throw new IllegalArgumentException("empty command");
    }
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", namespace(target)));
    cmd.addAll(command);
    return cmd;
  }

  private void refresh() {
    try {
      topology = parse(run(List.of(script.toString(), "status", runId), EXEC_TIMEOUT).orThrow().out());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private Map<String, String> element(String kind, String name) {
    Map<String, String> e = topology.get(name == null ? kind : kind + " " + name);
    if (e == null) {
      throw new IllegalArgumentException("no " + kind + (name == null ? "" : " '" + name + "'") + " in lab " + runId
          + "; it has " + topology.keySet());
    }
    return e;
  }

  /** `status` lines: "KIND key=value ...", keyed "KIND NAME" when they have a name. */
  static Map<String, Map<String, String>> parse(String status) {
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    for (String line : status.split("\n")) {
      String[] parts = line.strip().split(" ");
      if (parts.length < 2 || parts[0].equals("run")) {
        continue;
      }
      Map<String, String> kv = new HashMap<>();
      for (int i = 1; i < parts.length; i++) {
        int eq = parts[i].indexOf('=');
        if (eq > 0) {
          kv.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
        }
      }
      out.put(kv.containsKey("name") ? parts[0] + " " + kv.get("name") : parts[0], kv);
    }
    return out;
  }

  /** Runs a command in the test's own namespace (e.g. `ip netns list`), bounded by a timeout. */
  public static ExecResult sh(List<String> cmd, Duration timeout) {
    try {
      return run(cmd, timeout);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Whether a command runs here and exits 0 (a tool a lab test needs is installed). */
  public static boolean commandWorks(List<String> cmd) {
    try {
      return sh(cmd, Duration.ofSeconds(10)).exit() == 0;
    } catch (UncheckedIOException notInstalled) {
      return false;
    }
  }

  static ExecResult run(List<String> cmd, Duration timeout) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    // both pipes drained on their own threads, so neither can fill and block the process
    CompletableFuture<String> out = drain(p.getInputStream(), "natlab-stdout");
    CompletableFuture<String> err = drain(p.getErrorStream(), "natlab-stderr");
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        throw new IOException(cmd + " did not finish within " + timeout.toSeconds() + " s");
      }
      return new ExecResult(p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException(cmd + ": output not readable: " + e, e);
    }
  }

  private static CompletableFuture<String> drain(InputStream in, String name) {
    CompletableFuture<String> text = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        text.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        text.complete("(unreadable: " + e.getMessage() + ")");
      }
    }, name);
    t.setDaemon(true);
    t.start();
    return text;
  }
}
