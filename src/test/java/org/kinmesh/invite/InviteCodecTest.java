package org.kinmesh.invite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.kinmesh.crypto.Hex;
import org.kinmesh.crypto.Identity;
import org.kinmesh.testing.TestKeys;

/** Strict parsing of invite codes: each way a code can be wrong has its own message. */
class InviteCodecTest {
  static final Identity MUM = TestKeys.key(100);
  static final Invite INVITE = new Invite("0123456789abcdef0123456789abcdef", "smith-family", "ab".repeat(32),
      "https://relay.example.net", "http://192.0.2.10:8080", true, "Kid's laptop", MUM.publicKeyHex(), 1_900_000_000L);

  static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  /** A body of our choosing, signed properly: only the strict parser can refuse it. */
  static String signed(String json) {
    return InviteCodec.PREFIX + b64(json) + "." + Base64.getUrlEncoder().withoutPadding()
        .encodeToString(Hex.decode(MUM.sign(InviteCodec.message(INVITE))));
  }

  @Test
  void theCodeIsOneLineAndCarriesWhatANewMachineNeeds() throws Exception {
    String code = InviteCodec.encode(INVITE, MUM);
    assertThat(code).matches("kmi1\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]{86}");
    Invite back = InviteCodec.decode(code);
    assertThat(back.relayUrl()).isEqualTo("https://relay.example.net");
    assertThat(back.genesisUrl()).isEqualTo("http://192.0.2.10:8080");
    assertThat(back.role()).isEqualTo("consensus");
  }

  @Test
  void eachKindOfWrongCodeSaysWhatIsWrong() throws Exception {
    assertThatThrownBy(() -> InviteCodec.decode("hello")).hasMessageContaining("not a kinmesh invite code");
    assertThatThrownBy(() -> InviteCodec.decode(InviteCodec.PREFIX + "abc")).hasMessageContaining("two parts");
    assertThatThrownBy(() -> InviteCodec.decode(InviteCodec.PREFIX + "a*c.def")).hasMessageContaining("not base64url");
    String good = "{\"id\":\"0123456789abcdef0123456789abcdef\",\"chain\":\"smith-family\",\"genesis\":\""
        + "ab".repeat(32) + "\",\"relay\":\"https://relay.example.net\",\"genesis_url\":\"http://192.0.2.10:8080\","
        + "\"role\":\"consensus\",\"name\":\"Kid's laptop\",\"guardian\":\"" + MUM.publicKeyHex()
        + "\",\"expires\":1900000000";
    assertThat(InviteCodec.decode(InviteCodec.encode(INVITE, MUM))).isEqualTo(INVITE);
    assertThatThrownBy(() -> InviteCodec.decode(signed(good + ",\"extra\":1}"))).hasMessageContaining("unknown field 'extra'");
    assertThatThrownBy(() -> InviteCodec.decode(signed(good + ",\"role\":\"member\"}"))).hasMessageContaining("damaged");
    assertThatThrownBy(() -> InviteCodec.decode(signed(good.replace("consensus", "boss") + "}")))
        .hasMessageContaining("consensus or member");
    assertThatThrownBy(() -> InviteCodec.decode(signed(good.replace("1900000000", "\"1900000000\"") + "}")))
        .hasMessageContaining("'expires'");
    assertThatThrownBy(() -> InviteCodec.decode(signed(good.replace("https://relay.example.net", "relay") + "}")))
        .hasMessageContaining("relay URL");
    // the same body, properly signed, decodes: the refusals above are the parser's, not the signature's
    assertThat(InviteCodec.decode(signed(good + "}"))).isEqualTo(INVITE);
  }

  @Test
  void aNameUtf8CannotCarryIsRefusedWhenTheInviteIsMade() {
    // Found by everyInviteRoundTrips: a lone surrogate became '?' on the way, and the signature failed.
    assertThatThrownBy(() -> new Invite(INVITE.id(), INVITE.blockchainId(), INVITE.genesisHash(), INVITE.relayUrl(),
        INVITE.genesisUrl(), true, "laptop \ud800", MUM.publicKeyHex(), INVITE.expiresAt()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("well-formed");
  }

  @Test
  void signingWithAnotherKeyThanTheNamedGuardianIsAProgrammingError() {
    assertThatThrownBy(() -> InviteCodec.encode(INVITE, TestKeys.key(5))).isInstanceOf(IllegalArgumentException.class);
  }
}
