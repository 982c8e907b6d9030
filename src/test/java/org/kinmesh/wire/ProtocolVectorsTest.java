package org.kinmesh.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.kinmesh.crypto.Ed25519;
import org.kinmesh.crypto.Hex;
import org.kinmesh.crypto.Identity;
import org.kinmesh.wire.gossip.Announce;
import org.kinmesh.wire.gossip.GossipDatagram;
import org.kinmesh.wire.gossip.Pull;
import org.kinmesh.wire.relay.AuthorizeNodeRequest;
import org.kinmesh.wire.relay.LookupSignature;
import org.kinmesh.wire.relay.RegisterBlockchainRequest;
import org.kinmesh.wire.relay.RegisterRequest;
import org.kinmesh.wire.relay.SignedRequest;

/** Every case of the shared test vectors verifies byte for byte; every negative one is rejected. */
class ProtocolVectorsTest {
  private static final JsonNode VECTORS = load();

  private static JsonNode load() {
    try (InputStream in = ProtocolVectorsTest.class.getResourceAsStream("/protocol-v1.json")) {
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @TestFactory
  Stream<DynamicTest> everyCaseVerifies() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : VECTORS.get("cases")) {
      tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> checkCase(c)));
    }
    assertThat(tests).hasSizeGreaterThanOrEqualTo(9);
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> everyNegativeIsRejected() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : VECTORS.get("negative")) {
      tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> {
        String name = c.get("name").asText();
        byte[] body = c.get("body").toString().getBytes(StandardCharsets.UTF_8);
        SignedRequest parsed;
        try {
          parsed = parse(name, body);
        } catch (WireException e) {
          assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED);
          return;
        }
        assertThat(parsed.signatureValid()).as(c.get("why").asText()).isFalse();
      }));
    }
    assertThat(tests).isNotEmpty();
    return tests.stream();
  }

  private static void checkCase(JsonNode c) throws Exception {
    String name = c.get("name").asText();
    Identity signer = Identity.fromSeed(Hex.decode(c.get("signer_seed_hex").asText()));
    assertThat(signer.publicKeyHex()).isEqualTo(c.get("signer_public_key").asText());
    byte[] expectedM = c.get("canonical_message").asText().getBytes(StandardCharsets.UTF_8);
    assertThat(Hex.encode(Ed25519.sha256(expectedM))).isEqualTo(c.get("sha256").asText());

    SignedRequest request = name.equals("relay-lookup") ? lookup(c.get("body")) : parse(name,
        c.get("body").toString().getBytes(StandardCharsets.UTF_8));
    assertThat(new String(request.canonicalMessage(), StandardCharsets.UTF_8))
        .isEqualTo(c.get("canonical_message").asText());
    assertThat(request.signatureValid()).isTrue();
    // Ed25519 is deterministic: our signer must produce the very same bytes.
    assertThat(signer.sign(expectedM)).isEqualTo(request.signature());

    if (c.has("datagram_hex")) {
      byte[] datagram = Hex.decode(c.get("datagram_hex").asText());
      byte type = datagram[2];
      SignedRequest fromDatagram = type == GossipDatagram.TYPE_ANNOUNCE
          ? Announce.parse(GossipDatagram.body(datagram, type))
          : Pull.parse(GossipDatagram.body(datagram, type));
      assertThat(fromDatagram).isEqualTo(request);
      assertThat(fromDatagram.signatureValid()).isTrue();
    }
  }

  private static SignedRequest lookup(JsonNode body) {
    String[] path = body.get("path").asText().split("/");
    JsonNode h = body.get("headers");
    return new LookupSignature(path[2], path[3], h.get(LookupSignature.HEADER_REQUESTER).asText(),
        Long.parseLong(h.get(LookupSignature.HEADER_TIMESTAMP).asText()),
        h.get(LookupSignature.HEADER_SIGNATURE).asText());
  }

  private static SignedRequest parse(String name, byte[] body) throws WireException {
    StrictJson json = StrictJson.parse(body);
    if (name.startsWith("relay-register-blockchain")) {
      return RegisterBlockchainRequest.parse(json);
    }
    if (name.startsWith("relay-register") || name.startsWith("register")) {
      return RegisterRequest.parse(json);
    }
    if (name.startsWith("relay-authorize-node")) {
      return AuthorizeNodeRequest.parse(json);
    }
    if (name.startsWith("announce")) {
      return Announce.parse(json);
    }
    if (name.startsWith("pull")) {
      return Pull.parse(json);
    }
    throw new AssertionError("no parser for vector " + name);
  }

  @org.junit.jupiter.api.Test
  void uppercaseHexIsMalformedNotMerelyInvalid() {
    JsonNode neg = null;
    for (JsonNode c : VECTORS.get("negative")) {
      if (c.get("name").asText().equals("register-uppercase-hex")) {
        neg = c;
      }
    }
    byte[] body = neg.get("body").toString().getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> RegisterRequest.parse(StrictJson.parse(body)))
        .isInstanceOf(WireException.class).hasMessageContaining("lowercase hex");
  }
}
