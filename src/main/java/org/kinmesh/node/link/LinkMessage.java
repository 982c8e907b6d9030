package org.kinmesh.node.link;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One payload between a node's verticles and its links: the body of LINKS_SEND ({@code peer} is
 * the destination), LINKS_BROADCAST ({@code peer} is null) and LINKS_INBOUND ({@code peer} is the
 * link's authenticated sender). {@code payload} is the bytes that go on the wire (docs/links.md),
 * encoded once by the sender and parsed once by the consumer; it travels by reference through a
 * local codec, so neither side may change the array after sending.
 */
public record LinkMessage(String peer, byte[] payload) {
  public LinkMessage {
    Objects.requireNonNull(payload, "payload");
  }

  public static LinkMessage to(String peer, byte[] payload) {
    return new LinkMessage(Objects.requireNonNull(peer, "peer"), payload);
  }

  public static LinkMessage broadcast(byte[] payload) {
    return new LinkMessage(null, payload);
  }

  /** Whether the payload starts with these ASCII characters (a cheap look at its kind, no parse). */
  public boolean startsWith(String asciiPrefix) {
    if (payload.length < asciiPrefix.length()) {
      return false;
    }
    for (int i = 0; i < asciiPrefix.length(); i++) {
      if (payload[i] != asciiPrefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** The payload as text: only for the paths whose frames carry it as a JSON string (TCP, relay). */
  public String text() {
    return new String(payload, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "LinkMessage[peer=" + peer + ", " + payload.length + " bytes]";
  }
}
