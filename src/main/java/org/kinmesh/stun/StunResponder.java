package org.kinmesh.stun;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A STUN Binding server's answers, pure: given a datagram, who sent it and which of the
 * server's sockets it arrived on, the response and the socket to send it from (or a reason to
 * send nothing). With an alternate address the server has four sockets, numbered by two bits,
 * bit 0 = alternate port and bit 1 = alternate IP (RFC 5780 §6): 0 primary IP and port,
 * 1 primary IP and alternate port, 2 alternate IP and primary port, 3 alternate IP and port.
 * CHANGE-REQUEST flips the bits; OTHER-ADDRESS is the socket with both bits flipped.
 *
 * <p>A request's source address can be spoofed, so no answer is more than twice the size of its
 * request ({@link #AMPLIFICATION}; issue 13.6: the full answer to a bare 20-byte Binding was 84
 * bytes, 4.2x). A plain Binding (no attribute but FINGERPRINT) gets XOR-MAPPED-ADDRESS and
 * FINGERPRINT; other answers leave out, until they fit, SOFTWARE, MAPPED-ADDRESS,
 * RESPONSE-ORIGIN (plain server only) and FINGERPRINT, in that order. XOR-MAPPED-ADDRESS always
 * goes (alone it is 44 bytes for an IPv6 client, 2.2x a bare header). An RFC 5780 server also
 * always sends RESPONSE-ORIGIN and OTHER-ADDRESS, because RFC 5780 clients (coturn's, for one)
 * learn the alternate address from a bare Binding: 56 bytes, 2.8x, for IPv4.
 */
public final class StunResponder {
  /**
   * RFC 8489 §6.1: without path MTU knowledge, STUN over UDP stays within 548 bytes; longer
   * requests are dropped, except those carrying PADDING (RFC 5780 §7.6: they probe
   * fragmentation on purpose and get an answer of the same size, so no amplification), up to
   * {@link #MAX_PADDED_REQUEST_BYTES}.
   */
  public static final int MAX_REQUEST_BYTES = 548;
  public static final int MAX_PADDED_REQUEST_BYTES = 1_600;
  /** Answer bytes per request byte, at most (except XOR-MAPPED-ADDRESS alone, which always goes). */
  public static final int AMPLIFICATION = 2;
  /** What may be left out of an answer to fit, first to last (then FINGERPRINT). */
  private static final List<Integer> DROP_ORDER = List.of(StunAttribute.SOFTWARE, StunAttribute.MAPPED_ADDRESS,
      StunAttribute.RESPONSE_ORIGIN);
  private static final List<Integer> DROP_ORDER_RFC5780 = DROP_ORDER.subList(0, 2);

  /** Comprehension-required attributes of the base protocol a Binding server may see and need not act on. */
  private static final Set<Integer> UNDERSTOOD = Set.of(StunAttribute.USERNAME, StunAttribute.MESSAGE_INTEGRITY,
      0x001C /* MESSAGE-INTEGRITY-SHA256 */, 0x001E /* USERHASH */, 0x0014 /* REALM */, 0x0015 /* NONCE */,
      StunAttribute.PADDING, StunAttribute.RESPONSE_PORT);

  public enum Outcome {
    OK, BAD_REQUEST, UNKNOWN_ATTRIBUTE,
    /** Dropped: longer than {@link #MAX_REQUEST_BYTES}. */
    OVERSIZED,
    /** Dropped: not a well-formed STUN message. */
    MALFORMED,
    /** Dropped: an indication or a response (never answered). */
    NOT_REQUEST;

    public String metric() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * What to do with one datagram: send {@code data} from socket {@code socket} to the source IP
   * and {@code port} (the source port, or RESPONSE-PORT's), unless data is null.
   */
  public record Reply(Outcome outcome, int socket, int port, byte[] data) {
    static Reply drop(Outcome why) {
      return new Reply(why, -1, -1, null);
    }
  }

  private final InetSocketAddress[] sockets;
  private final boolean originKnown;
  private final StunAttribute.Software software;
  /** Fast-path answers to a bare header and to a header with FINGERPRINT (they may differ in size). */
  private final PlainBindingAnswer plain20;
  private final PlainBindingAnswer plain28;

  /**
   * @param primary the primary socket's address; a wildcard IP (0.0.0.0, ::) is allowed only
   *     without an alternate, and then RESPONSE-ORIGIN is left out (the kernel picks the source)
   * @param alternate alternate IP and port, or null for a plain RFC 8489 server
   */
  public StunResponder(InetSocketAddress primary, InetSocketAddress alternate, String software) {
    Objects.requireNonNull(primary, "primary");
    this.software = new StunAttribute.Software(software);
    if (alternate == null) {
      sockets = new InetSocketAddress[] {primary};
    } else {
      if (primary.getAddress().isAnyLocalAddress() || alternate.getAddress().isAnyLocalAddress()) {
        throw new IllegalArgumentException("RFC 5780 needs concrete primary and alternate IPs, not a wildcard");
      }
      if (primary.getAddress().equals(alternate.getAddress()) || primary.getPort() == alternate.getPort()) {
        throw new IllegalArgumentException("the alternate must differ from the primary in both IP and port");
      }
      if (primary.getAddress().getClass() != alternate.getAddress().getClass()) {
        throw new IllegalArgumentException("primary and alternate IPs must be of the same family");
      }
      sockets = new InetSocketAddress[] {primary,
          new InetSocketAddress(primary.getAddress(), alternate.getPort()),
          new InetSocketAddress(alternate.getAddress(), primary.getPort()),
          alternate};
    }
    originKnown = !primary.getAddress().isAnyLocalAddress();
    plain20 = templates(false);
    plain28 = templates(true);
  }

  /** The general path's answers to a zero client with ID 0, one per socket: the fast path's templates. */
  private PlainBindingAnswer templates(boolean fingerprint) {
    int length = sockets[0].getAddress().getAddress().length;
    InetSocketAddress zero;
    try {
      zero = new InetSocketAddress(java.net.InetAddress.getByAddress(new byte[length]), 0);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e); // not reached: 4 or 16 bytes
    }
    byte[] request = StunCodec.encode(new StunMessage(StunClass.REQUEST, StunMessage.BINDING,
        new TransactionId(0, 0), List.of(), fingerprint));
    byte[][] t = new byte[sockets.length][];
    for (int s = 0; s < sockets.length; s++) {
      t[s] = general(request, request.length, zero, s).data();
    }
    try {
      return new PlainBindingAnswer(t, length, StunCodec.decode(t[0]).fingerprint());
    } catch (StunParseException e) {
      throw new IllegalStateException(e); // not reached: our own encoding
    }
  }

  /** The addresses to bind, in socket-number order: one, or four with an alternate. */
  public List<InetSocketAddress> sockets() {
    return List.of(sockets);
  }

  public boolean rfc5780() {
    return sockets.length == 4;
  }

  public Reply respond(byte[] data, int length, InetSocketAddress from, int receivedOn) {
    if (PlainBindingAnswer.isPlainBinding(data, length)) {
      byte[] answer = (length == 20 ? plain20 : plain28).answer(data, from, receivedOn);
      if (answer != null) {
        return new Reply(Outcome.OK, receivedOn, from.getPort(), answer);
      }
    }
    return general(data, length, from, receivedOn);
  }

  /** The answer built the long way: decode, check, encode. */
  Reply general(byte[] data, int length, InetSocketAddress from, int receivedOn) {
    if (length > MAX_PADDED_REQUEST_BYTES) {
      return Reply.drop(Outcome.OVERSIZED);
    }
    StunMessage req;
    try {
      req = StunCodec.decode(data, 0, length);
    } catch (StunParseException e) {
      return Reply.drop(Outcome.MALFORMED);
    }
    StunAttribute.Opaque padding = opaque(req, StunAttribute.PADDING);
    if (length > MAX_REQUEST_BYTES && padding == null) {
      return Reply.drop(Outcome.OVERSIZED);
    }
    if (req.cls() != StunClass.REQUEST) {
      return Reply.drop(Outcome.NOT_REQUEST);
    }
    int port = from.getPort();
    if (!req.isBinding()) {
      return error(req, length, receivedOn, port, Outcome.BAD_REQUEST, 400, "Bad Request: only Binding is served", null);
    }
    StunAttribute.Opaque responsePort = opaque(req, StunAttribute.RESPONSE_PORT);
    if (responsePort != null) {
      byte[] v = responsePort.value();
      int asked = v.length == 4 ? (v[0] & 0xFF) << 8 | (v[1] & 0xFF) : 0;
      if (asked == 0 || padding != null) {
        // RFC 5780 §7.5/§7.6: a malformed RESPONSE-PORT, or one together with PADDING, is a bad request
        return error(req, length, receivedOn, port, Outcome.BAD_REQUEST, 400, "Bad Request: RESPONSE-PORT", null);
      }
      port = asked;
    }
    List<Integer> unknown = new ArrayList<>();
    for (int type : req.uninterpretedRequired()) {
      if (!UNDERSTOOD.contains(type)) {
        unknown.add(type);
      }
    }
    int sendFrom = receivedOn;
    var change = req.first(StunAttribute.ChangeRequest.class);
    if (change.isPresent() && (change.get().changeIp() || change.get().changePort())) {
      if (rfc5780()) {
        sendFrom = receivedOn ^ (change.get().changeIp() ? 2 : 0) ^ (change.get().changePort() ? 1 : 0);
      } else {
        unknown.add(StunAttribute.CHANGE_REQUEST); // RFC 5780 §6.1: no alternate address, so 420
      }
    }
    if (!unknown.isEmpty()) {
      return error(req, length, receivedOn, from.getPort(), Outcome.UNKNOWN_ATTRIBUTE, 420, "Unknown Attribute", unknown);
    }
    List<StunAttribute> attrs = new ArrayList<>(6);
    attrs.add(new StunAttribute.XorMappedAddress(from));
    boolean plainBinding = req.attributes().isEmpty(); // asks for its address (and RFC 5780's) only
    if (!plainBinding) {
      attrs.add(new StunAttribute.MappedAddress(from));
    }
    if (originKnown && (!plainBinding || rfc5780())) {
      attrs.add(new StunAttribute.ResponseOrigin(sockets[sendFrom]));
    }
    if (rfc5780()) {
      attrs.add(new StunAttribute.OtherAddress(sockets[receivedOn ^ 3]));
    }
    if (!plainBinding) {
      attrs.add(software);
    }
    if (padding != null) {
      attrs.add(new StunAttribute.Opaque(StunAttribute.PADDING, new byte[padding.value().length]));
    }
    return new Reply(Outcome.OK, sendFrom, port, within(AMPLIFICATION * length,
        new StunMessage(StunClass.SUCCESS, StunMessage.BINDING, req.id(), attrs, true)));
  }

  /**
   * The answer encoded in at most {@code budget} bytes where it can be: optional attributes left
   * out in {@link #DROP_ORDER}, then FINGERPRINT, then an error's reason phrase; XOR-MAPPED-ADDRESS,
   * an RFC 5780 server's RESPONSE-ORIGIN and OTHER-ADDRESS, ERROR-CODE, UNKNOWN-ATTRIBUTES and an
   * echoed PADDING always stay.
   */
  private byte[] within(int budget, StunMessage m) {
    byte[] out = StunCodec.encode(m);
    List<StunAttribute> attrs = new ArrayList<>(m.attributes());
    for (int type : rfc5780() ? DROP_ORDER_RFC5780 : DROP_ORDER) {
      if (out.length <= budget) {
        return out;
      }
      if (attrs.removeIf(a -> a.type() == type)) {
        out = StunCodec.encode(new StunMessage(m.cls(), m.method(), m.id(), attrs, true));
      }
    }
    if (out.length > budget) {
      out = StunCodec.encode(new StunMessage(m.cls(), m.method(), m.id(), attrs, false));
    }
    if (out.length > budget) {
      attrs.replaceAll(a -> a instanceof StunAttribute.ErrorCode e ? new StunAttribute.ErrorCode(e.code(), "") : a);
      out = StunCodec.encode(new StunMessage(m.cls(), m.method(), m.id(), attrs, false));
    }
    return out;
  }

  private static StunAttribute.Opaque opaque(StunMessage m, int type) {
    for (StunAttribute a : m.attributes()) {
      if (a instanceof StunAttribute.Opaque o && o.type() == type) {
        return o;
      }
    }
    return null;
  }

  private Reply error(StunMessage req, int length, int socket, int port, Outcome outcome, int code, String reason,
      List<Integer> unknown) {
    List<StunAttribute> attrs = new ArrayList<>(3);
    attrs.add(new StunAttribute.ErrorCode(code, reason));
    if (unknown != null) {
      attrs.add(new StunAttribute.UnknownAttributes(unknown));
    }
    attrs.add(software);
    return new Reply(outcome, socket, port, within(AMPLIFICATION * length,
        new StunMessage(StunClass.ERROR, req.method(), req.id(), attrs, true)));
  }
}
