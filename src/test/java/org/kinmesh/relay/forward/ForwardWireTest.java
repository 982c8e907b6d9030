package org.kinmesh.relay.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.kinmesh.config.ConfigException;
import org.kinmesh.crypto.Hex;
import org.kinmesh.crypto.Identity;
import org.kinmesh.relay.RelayConfig;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.util.ManualTimeSource;
import org.kinmesh.wire.ErrorCode;
import org.kinmesh.wire.WireException;

/** The pure parts of relayed traffic: frames, the connect answer and its checks, rate buckets, config. */
class ForwardWireTest {
  static final long NOW = 1_767_225_600L;
  final Identity node = TestKeys.key(41);
  final Identity other = TestKeys.key(42);
  final byte[] key = Hex.decode(node.publicKeyHex());

  // ---- frames ----

  @Test
  void framesHaveATypeByteAKeyAndThePayload() throws WireException {
    byte[] payload = "hi".getBytes(StandardCharsets.UTF_8);
    Buffer send = RelayFrame.send(key, payload);
    assertThat(send.length()).isEqualTo(35);
    assertThat(send.getByte(0)).isEqualTo((byte) 0x01);
    assertThat(send.getBytes(1, 33)).isEqualTo(key);
    assertThat(send.getBytes(33, 35)).isEqualTo(payload);

    RelayFrame.Inbound in = RelayFrame.parseInbound(RelayFrame.deliver(key, payload));
    assertThat(in.type()).isEqualTo(RelayFrame.DELIVER);
    assertThat(in.key()).isEqualTo(node.publicKeyHex());
    assertThat(in.payload()).isEqualTo(payload);

    RelayFrame.Inbound u = RelayFrame.parseInbound(RelayFrame.undeliverable(key, Undeliverable.QUEUE_FULL));
    assertThat(u.type()).isEqualTo(RelayFrame.UNDELIVERABLE);
    assertThat(u.reason()).isEqualTo(Undeliverable.QUEUE_FULL);
    assertThat(RelayFrame.undeliverable(key, Undeliverable.NOT_CONNECTED).getBytes())
        .startsWith((byte) 0x03).endsWith((byte) 0x01).hasSize(34);
    // Every reason byte maps back to itself.
    for (Undeliverable r : Undeliverable.values()) {
      assertThat(Undeliverable.fromWire(r.wire())).isEqualTo(r);
    }
  }

  @Test
  void badFramesAreRefusedWhole() {
    assertThatThrownBy(() -> RelayFrame.parseInbound(Buffer.buffer(new byte[32]))).isInstanceOf(WireException.class)
        .hasMessageContaining("shorter");
    // A SEND frame is what nodes send, never what they receive.
    assertThatThrownBy(() -> RelayFrame.parseInbound(RelayFrame.send(key, new byte[1])))
        .hasMessageContaining("unknown relay frame type 1");
    assertThatThrownBy(() -> RelayFrame.parseInbound(
        Buffer.buffer().appendByte(RelayFrame.UNDELIVERABLE).appendBytes(key).appendByte((byte) 9)))
        .hasMessageContaining("unknown undeliverable reason 9");
    assertThatThrownBy(() -> RelayFrame.parseInbound(
        Buffer.buffer().appendByte(RelayFrame.UNDELIVERABLE).appendBytes(key).appendByte((byte) 1).appendByte((byte) 0)))
        .hasMessageContaining("must be 34 bytes");
    Buffer big = Buffer.buffer().appendByte(RelayFrame.DELIVER).appendBytes(key)
        .appendBytes(new byte[RelayFrame.MAX_PAYLOAD_BYTES + 1]);
    assertThatThrownBy(() -> RelayFrame.parseInbound(big))
        .satisfies(e -> assertThat(((WireException) e).code()).isEqualTo(ErrorCode.TOO_LARGE));
    assertThatThrownBy(() -> RelayFrame.send(new byte[31], new byte[0])).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RelayFrame.send(key, new byte[RelayFrame.MAX_PAYLOAD_BYTES + 1]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // ---- the connect answer ----

  @Test
  void theConnectAnswerSignsItsOwnTagAndRoundTrips() throws WireException {
    String nonce = Handshake.newNonce();
    ConnectAuth a = ConnectAuth.sign(node, "fam", NOW, nonce);
    assertThat(ConnectAuth.parse(a.toJson().encode())).isEqualTo(a);
    assertThat(a.signatureValid()).isTrue();
    assertThat(new String(a.canonical(), StandardCharsets.UTF_8))
        .isEqualTo("kinmesh-relay-connect-v1\nfam\n" + node.publicKeyHex() + "\n" + NOW + "\n" + nonce);
    // Any changed field breaks the signature.
    assertThat(new ConnectAuth("fam2", a.pubkey(), a.timestamp(), a.nonce(), a.sig()).signatureValid()).isFalse();
    assertThat(new ConnectAuth("fam", a.pubkey(), a.timestamp() + 1, a.nonce(), a.sig()).signatureValid()).isFalse();
    assertThat(new ConnectAuth("fam", other.publicKeyHex(), a.timestamp(), a.nonce(), a.sig()).signatureValid())
        .isFalse();
  }

  @Test
  void malformedConnectAnswersNameTheirField() {
    JsonObject good = ConnectAuth.sign(node, "fam", NOW, Handshake.newNonce()).toJson();
    assertMalformed(good.copy().put("type", "hello"), "expected an auth frame");
    assertMalformed(good.copy().put("blockchain_id", "bad id!"), "blockchain_id");
    assertMalformed(good.copy().put("pubkey", node.publicKeyHex().toUpperCase()), "pubkey");
    assertMalformed(good.copy().put("timestamp", -1), "timestamp");
    assertMalformed(good.copy().put("timestamp", "1767225600"), "timestamp");
    assertMalformed(good.copy().put("nonce", "00"), "nonce");
    assertMalformed(good.copy().put("sig", "zz"), "sig");
    JsonObject missing = good.copy();
    missing.remove("nonce");
    assertMalformed(missing, "nonce");
    assertThatThrownBy(() -> ConnectAuth.parse("{\"type\":\"auth\",\"type\":\"auth\"}"))
        .hasMessageContaining("Duplicate");
    assertThatThrownBy(() -> ConnectAuth.parse(good.copy().put("pad", "x".repeat(1_024)).encode()))
        .satisfies(e -> assertThat(((WireException) e).code()).isEqualTo(ErrorCode.TOO_LARGE));
  }

  private static void assertMalformed(JsonObject frame, String mention) {
    assertThatThrownBy(() -> ConnectAuth.parse(frame.encode())).isInstanceOf(WireException.class)
        .hasMessageContaining(mention)
        .satisfies(e -> assertThat(((WireException) e).code()).isEqualTo(ErrorCode.MALFORMED));
  }

  @Test
  void theConnectCheckRunsItsRulesCheapestFirst() {
    String nonce = Handshake.newNonce();
    Map<String, Set<String>> chains = Map.of("fam", Set.of(node.publicKeyHex()));
    ConnectCheck.Members members = new ConnectCheck.Members() {
      @Override
      public boolean knows(String id) {
        return chains.containsKey(id);
      }

      @Override
      public boolean authorized(String id, String k) {
        return chains.getOrDefault(id, Set.of()).contains(k);
      }
    };
    ConnectCheck check = new ConnectCheck(nonce, NOW, 300, members);
    assertThat(check.check(ConnectAuth.sign(node, "fam", NOW, nonce))).isEmpty();
    assertThat(check.check(ConnectAuth.sign(node, "fam", NOW - 300, nonce))).isEmpty();
    assertThat(check.check(ConnectAuth.sign(node, "nope", NOW, nonce))).contains(CloseReason.UNKNOWN_BLOCKCHAIN);
    assertThat(check.check(ConnectAuth.sign(node, "fam", NOW - 301, nonce))).contains(CloseReason.STALE);
    assertThat(check.check(ConnectAuth.sign(node, "fam", NOW + 301, nonce))).contains(CloseReason.STALE);
    assertThat(check.check(ConnectAuth.sign(node, "fam", NOW, Handshake.newNonce()))).contains(CloseReason.REPLAYED);
    ConnectAuth byOther = ConnectAuth.sign(other, "fam", NOW, nonce);
    assertThat(check.check(new ConnectAuth("fam", node.publicKeyHex(), NOW, nonce, byOther.sig())))
        .contains(CloseReason.INVALID_SIGNATURE);
    assertThat(check.check(byOther)).contains(CloseReason.UNAUTHORIZED);
    // Order: an unknown blockchain wins over a stale timestamp, which wins over a bad signature.
    assertThat(check.check(new ConnectAuth("nope", node.publicKeyHex(), NOW - 999, nonce, byOther.sig())))
        .contains(CloseReason.UNKNOWN_BLOCKCHAIN);
    assertThat(check.check(new ConnectAuth("fam", node.publicKeyHex(), NOW - 999, nonce, byOther.sig())))
        .contains(CloseReason.STALE);
  }

  @Test
  void handshakeFramesRoundTripAndRefuseNonsense() throws WireException {
    String nonce = Handshake.newNonce();
    assertThat(Handshake.parseChallenge(Handshake.challenge(nonce))).isEqualTo(nonce);
    Handshake.Ready r = ForwardSettings.defaults().ready();
    assertThat(Handshake.parseReady(Handshake.ready(r))).isEqualTo(r);
    assertThatThrownBy(() -> Handshake.parseChallenge("{\"type\":\"challenge\",\"nonce\":\"ABC\"}"))
        .hasMessageContaining("nonce");
    assertThatThrownBy(() -> Handshake.parseChallenge(Handshake.ready(r))).hasMessageContaining("challenge");
    assertThatThrownBy(() -> Handshake.parseReady(Handshake.ready(new Handshake.Ready(70_000, 1, 1, 1))))
        .hasMessageContaining("out of range");
  }

  // ---- rate buckets ----

  @Test
  void rateBucketsLimitFramesAndBytesAndRefillWithTheClock() {
    ManualTimeSource clock = new ManualTimeSource(NOW * 1000);
    RateBuckets b = new RateBuckets(3, 100_000, clock);
    assertThat(b.tryTake(10)).isTrue();
    assertThat(b.tryTake(10)).isTrue();
    assertThat(b.tryTake(10)).isTrue();
    assertThat(b.tryTake(10)).as("fourth frame in the same instant").isFalse();
    clock.setMillis(NOW * 1000 + 334); // one frame's worth of refill
    assertThat(b.tryTake(10)).isTrue();
    assertThat(b.tryTake(10)).isFalse();

    RateBuckets bytes = new RateBuckets(1_000, 100_000, clock);
    assertThat(bytes.tryTake(60_000)).isTrue();
    assertThat(bytes.tryTake(60_000)).as("over the byte budget").isFalse();
    assertThat(bytes.tryTake(40_000)).as("a refused frame takes nothing").isTrue();
    clock.setMillis(clock.nowMillis() + 10_000); // refill caps at one second's worth
    assertThat(bytes.tryTake(100_000)).isTrue();
    assertThat(bytes.tryTake(1)).isFalse();
  }

  // ---- config ----

  @Test
  void relayedLimitsComeFromTheRelayConfigWithNamedErrors() throws ConfigException {
    ForwardSettings d = RelayConfig.fromJson(new JsonObject(), Map.of()).relayed();
    assertThat(d).isEqualTo(ForwardSettings.defaults());
    RelayConfig c = RelayConfig.fromJson(new JsonObject().put("relayed_frames_per_sec", 50)
        .put("relayed_queue_bytes", 200_000).put("relayed_ping_secs", 5),
        Map.of("RELAY_RELAYED_BYTES_PER_SEC", "1048576", "RELAY_RELAYED_MAX_CONNECTIONS", "7"));
    assertThat(c.relayed()).isEqualTo(new ForwardSettings(50, 1_048_576, 200_000, 7, 10_000, 5_000));
    assertConfigError(new JsonObject().put("relayed_bytes_per_sec", 1_000), "relayed_bytes_per_sec");
    assertConfigError(new JsonObject().put("relayed_queue_bytes", 65_568), "relayed_queue_bytes");
    assertConfigError(new JsonObject().put("relayed_frames_per_sec", 0), "relayed_frames_per_sec");
    assertConfigError(new JsonObject().put("relayed_handshake_timeout_secs", 61), "relayed_handshake_timeout_secs");
    assertConfigError(new JsonObject().put("relayed_ping_secs", "30"), "relayed_ping_secs");
    assertConfigError(new JsonObject().put("relayed_frame_per_sec", 5), "relayed_frame_per_sec");
  }

  private static void assertConfigError(JsonObject json, String key) {
    assertThatThrownBy(() -> RelayConfig.fromJson(json, Map.of())).isInstanceOf(ConfigException.class)
        .hasMessageContaining("'" + key + "'");
  }
}
