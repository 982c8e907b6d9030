package org.kinmesh.stun;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One STUN message: class, method, transaction ID and attributes in wire order. With
 * {@code fingerprint} the encoder appends FINGERPRINT; a decoded message has it set when the
 * datagram carried a FINGERPRINT that verified. When an attribute type repeats, readers use the
 * first occurrence (RFC 8489 §14).
 */
public record StunMessage(StunClass cls, int method, TransactionId id, List<StunAttribute> attributes,
    boolean fingerprint) {
  public static final int BINDING = 0x001;

  public StunMessage {
    Objects.requireNonNull(cls, "cls");
    Objects.requireNonNull(id, "id");
    if (method < 0 || method > 0xFFF) {
      throw new IllegalArgumentException("STUN method is 12 bits: " + method);
    }
    attributes = List.copyOf(attributes);
  }

  public static StunMessage bindingRequest(TransactionId id, StunAttribute... attributes) {
    return new StunMessage(StunClass.REQUEST, BINDING, id, List.of(attributes), true);
  }

  public boolean isBinding() {
    return method == BINDING;
  }

  /** The first attribute of this kind. */
  public <T extends StunAttribute> Optional<T> first(Class<T> kind) {
    for (StunAttribute a : attributes) {
      if (kind.isInstance(a)) {
        return Optional.of(kind.cast(a));
      }
    }
    return Optional.empty();
  }

  /** XOR-MAPPED-ADDRESS, else MAPPED-ADDRESS (RFC 3489 servers send only the latter). */
  public Optional<InetSocketAddress> mappedAddress() {
    Optional<StunAttribute.XorMappedAddress> xor = first(StunAttribute.XorMappedAddress.class);
    if (xor.isPresent()) {
      return Optional.of(xor.get().address());
    }
    return first(StunAttribute.MappedAddress.class).map(StunAttribute.MappedAddress::address);
  }

  public Optional<InetSocketAddress> otherAddress() {
    return first(StunAttribute.OtherAddress.class).map(StunAttribute.OtherAddress::address);
  }

  public Optional<StunAttribute.ErrorCode> errorCode() {
    return first(StunAttribute.ErrorCode.class);
  }

  /** Comprehension-required attribute types the codec did not interpret, in order, no repeats. */
  public List<Integer> uninterpretedRequired() {
    List<Integer> out = new ArrayList<>();
    for (StunAttribute a : attributes) {
      if (a instanceof StunAttribute.Opaque o && StunAttribute.comprehensionRequired(o.type())
          && !out.contains(o.type())) {
        out.add(o.type());
      }
    }
    return out;
  }
}
