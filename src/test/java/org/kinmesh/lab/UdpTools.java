package org.kinmesh.lab;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Small UDP programs (python3, run inside lab namespaces) for proving what a NAT lets through.
 * Each pins itself to one CPU: datagrams it sends then cross the veths and routers in the order
 * sent, so a final "done" datagram proves that earlier ones were dropped, with no timed wait.
 */
final class UdpTools {
  private UdpTools() {}

  private static final String PIN = "import os, socket, sys\n"
      + "os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})\n";

  /** Answers every datagram with "from IP:PORT" (the source it saw). Args: ip port. Prints "ready". */
  static final String REFLECTOR = PIN + """
      s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
      s.bind((sys.argv[1], int(sys.argv[2])))
      print('ready', flush=True)
      while True:
          data, src = s.recvfrom(2048)
          s.sendto(('from %s:%d' % src).encode(), src)
      """;

  /**
   * From one socket, for each stdin line (or COUNT times), sends to ip:port and prints the answer,
   * "eperm" when the local firewall refuses the send, or "timeout". Args: ip port [count].
   */
  static final String PINGER = PIN + """
      s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
      s.bind(('0.0.0.0', 0))
      s.settimeout(5)
      print('local %d' % s.getsockname()[1], flush=True)
      def ping():
          try:
              s.sendto(b'ping', (sys.argv[1], int(sys.argv[2])))
              print(s.recvfrom(2048)[0].decode(), flush=True)
          except PermissionError:
              print('eperm', flush=True)
          except socket.timeout:
              print('timeout', flush=True)
      if len(sys.argv) > 3:
          for _ in range(int(sys.argv[3])):
              ping()
      else:
          for _ in sys.stdin:
              ping()
      """;

  /**
   * The outside half of the filtering test. Args: ip1 ip2 port. Waits for "hello" on ip1:port,
   * prints the mapped source, then sends to it from ip1:port+1 ("same-ip"), ip2:port
   * ("other-ip") and finally ip1:port ("done", which conntrack always lets back in). Then
   * waits for "hello2" on ip2:port and prints that mapped source too.
   */
  static final String PROBER = PIN + """
      ip1, ip2, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
      def sock(ip, p):
          s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
          s.bind((ip, p))
          s.settimeout(20)
          return s
      a, b, c = sock(ip1, port), sock(ip1, port + 1), sock(ip2, port)
      print('ready', flush=True)
      data, src = a.recvfrom(2048)
      print('mapped1 %s:%d' % src, flush=True)
      b.sendto(b'same-ip', src)
      c.sendto(b'other-ip', src)
      a.sendto(b'done', src)
      data, src2 = c.recvfrom(2048)
      print('mapped2 %s:%d' % src2, flush=True)
      c.sendto(b'ack', src2)
      """;

  /**
   * The inside half. Args: ip1 ip2 port. Sends "hello" to ip1:port, collects what arrives until
   * "done", then sends "hello2" to ip2:port and waits for "ack". Prints "local PORT" and
   * "got A,B" (sorted; empty when nothing unsolicited came in).
   */
  static final String PROBE_CLIENT = PIN + """
      ip1, ip2, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
      s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
      s.bind(('0.0.0.0', 0))
      s.settimeout(10)
      s.sendto(b'hello', (ip1, port))
      got = []
      while True:
          data = s.recvfrom(2048)[0].decode()
          if data == 'done':
              break
          got.append(data)
      s.sendto(b'hello2', (ip2, port))
      while s.recvfrom(2048)[0] != b'ack':
          pass
      print('local %d' % s.getsockname()[1])
      print('got ' + ','.join(sorted(got)), flush=True)
      """;

  /** The interpreter itself, resolved once: a version manager's shim costs a shell per start. */
  private static volatile String interpreter;

  static String interpreter() {
    if (interpreter == null) {
      NatLab.ExecResult r = NatLab.sh(List.of("python3", "-c", "import sys; print(sys.executable)"), Duration.ofSeconds(30));
      interpreter = r.exit() == 0 && !r.out().isBlank() ? r.out().strip() : "python3";
    }
    return interpreter;
  }

  static List<String> python(String script, Object... args) {
    List<String> cmd = new ArrayList<>(List.of(interpreter(), "-c", script));
    for (Object a : args) {
      cmd.add(String.valueOf(a));
    }
    return cmd;
  }
}
