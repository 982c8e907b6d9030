package org.kinmesh.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Raw HTTP/1.1 over a plain socket on loopback: for requests no HTTP client will send (a foreign
 * Host, a 20 KiB header, Content-Length 10^20) and for watching what the server does to the
 * connection afterwards.
 */
public final class RawHttp {
  private RawHttp() {}

  /** A parsed answer. */
  public record Answer(int status, Map<String, String> headers, String body) {
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  /** Connects to 127.0.0.1:port from the given loopback source address (127.0.0.1 if null). */
  public static Socket connect(int port, String fromIp) throws IOException {
    Socket s = new Socket();
    if (fromIp != null) {
      s.bind(new InetSocketAddress(InetAddress.getByName(fromIp), 0));
    }
    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
    s.setSoTimeout(10_000);
    return s;
  }

  /** Sends the bytes on a new connection and reads one answer. */
  public static Answer exchange(int port, String request) throws IOException {
    try (Socket s = connect(port, null)) {
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      return read(s);
    }
  }

  /** Reads one answer: status line, headers, a Content-Length body. */
  public static Answer read(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    String head = readHead(in);
    if (head == null) {
      throw new IOException("the server closed the connection without an answer");
    }
    String[] lines = head.split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, String> headers = new TreeMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
    }
    int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
    byte[] body = in.readNBytes(length);
    return new Answer(status, headers, new String(body, StandardCharsets.UTF_8));
  }

  /** True when the server closes the connection (EOF or reset) within the time; false if it stays open. */
  public static boolean closedWithin(Socket s, int millis) throws IOException {
    int before = s.getSoTimeout();
    s.setSoTimeout(Math.max(1, millis));
    try {
      while (true) {
        int b = s.getInputStream().read();
        if (b < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset by the server
    } finally {
      if (!s.isClosed()) {
        s.setSoTimeout(before);
      }
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        return out.size() == 0 ? null : out.toString(StandardCharsets.ISO_8859_1);
      }
      out.write(b);
      matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
          ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    String head = out.toString(StandardCharsets.ISO_8859_1);
    return head.substring(0, head.length() - 4);
  }
}
