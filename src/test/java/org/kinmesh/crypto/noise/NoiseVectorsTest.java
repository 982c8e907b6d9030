package org.kinmesh.crypto.noise;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.kinmesh.crypto.Hex;

/**
 * The cacophony test vectors (src/test/resources/noise/cacophony-subset.json, source named in
 * the file) for IK, XX and IX over 25519/ChaChaPoly with SHA256 and BLAKE2s: every handshake
 * message byte for byte, the handshake hash, and the transport messages after Split().
 */
class NoiseVectorsTest {

  static Stream<JsonNode> vectors() throws Exception {
    try (InputStream in = NoiseVectorsTest.class.getResourceAsStream("/noise/cacophony-subset.json")) {
      JsonNode root = new ObjectMapper().readTree(in);
      List<JsonNode> list = new ArrayList<>();
      root.get("vectors").forEach(list::add);
      assertThat(list).hasSize(6);
      return list.stream();
    }
  }

  @ParameterizedTest(name = "{index}: {0}")
  @MethodSource("vectors")
  void matchesTheVector(JsonNode v) throws Exception {
    String name = v.get("protocol_name").asText();
    String[] parts = name.split("_");
    HandshakePattern pattern = HandshakePattern.valueOf(parts[1]);
    NoiseHash hash = parts[4].equals("SHA256") ? NoiseHash.SHA256 : NoiseHash.BLAKE2S;
    assertThat(pattern.protocolName(hash)).isEqualTo(name);

    KeyPair25519 initEph = key(v, "init_ephemeral");
    KeyPair25519 respEph = key(v, "resp_ephemeral");
    byte[] rs = v.has("init_remote_static") ? Hex.decode(v.get("init_remote_static").asText()) : null;
    HandshakeState init = HandshakeState.initiator(pattern, hash, hex(v, "init_prologue"),
        key(v, "init_static"), rs, () -> initEph);
    HandshakeState resp = HandshakeState.responder(pattern, hash, hex(v, "resp_prologue"),
        key(v, "resp_static"), () -> respEph);

    CipherState[] initCs = null;
    CipherState[] respCs = null;
    JsonNode messages = v.get("messages");
    for (int i = 0; i < messages.size(); i++) {
      byte[] payload = Hex.decode(messages.get(i).get("payload").asText());
      String expected = messages.get(i).get("ciphertext").asText();
      boolean fromInitiator = i % 2 == 0;
      if (i < pattern.messageCount()) {
        HandshakeState sender = fromInitiator ? init : resp;
        HandshakeState receiver = fromInitiator ? resp : init;
        byte[] wire = sender.writeMessage(payload);
        assertThat(Hex.encode(wire)).as("%s handshake message %d", name, i).isEqualTo(expected);
        assertThat(receiver.readMessage(wire)).isEqualTo(payload);
        if (i == pattern.messageCount() - 1) {
          assertThat(Hex.encode(init.handshakeHash())).isEqualTo(v.get("handshake_hash").asText());
          assertThat(resp.handshakeHash()).isEqualTo(init.handshakeHash());
          initCs = init.split();
          respCs = resp.split();
        }
      } else {
        CipherState send = fromInitiator ? initCs[0] : respCs[0];
        CipherState recv = fromInitiator ? respCs[1] : initCs[1];
        byte[] wire = send.encryptWithAd(new byte[0], payload);
        assertThat(Hex.encode(wire)).as("%s transport message %d", name, i).isEqualTo(expected);
        assertThat(recv.decryptWithAd(new byte[0], wire)).isEqualTo(payload);
      }
    }
  }

  private static KeyPair25519 key(JsonNode v, String field) {
    return KeyPair25519.fromPrivate(hex(v, field));
  }

  private static byte[] hex(JsonNode v, String field) {
    return Hex.decode(v.get(field).asText());
  }
}
