package org.kinmesh.invite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Builders;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.kinmesh.crypto.Identity;
import org.kinmesh.testing.TestKeys;

/** Invite codes: every invite round-trips; any change to a code's text is refused, never read as another invite. */
class InviteCodecProperties {
  static final Identity GUARDIAN = TestKeys.key(100);
  static final Identity OTHER = TestKeys.key(101);

  @Provide
  Arbitrary<Invite> invites() {
    return Builders.withBuilder(() -> new Object[9])
        .use(Arbitraries.strings().withChars("0123456789abcdef").ofLength(32)).in((a, v) -> set(a, 0, v))
        .use(Arbitraries.strings().withChars("abcXYZ019._-").ofMinLength(1).ofMaxLength(64)).in((a, v) -> set(a, 1, v))
        .use(Arbitraries.strings().withChars("0123456789abcdef").ofLength(64)).in((a, v) -> set(a, 2, v))
        .use(urls()).in((a, v) -> set(a, 3, v))
        .use(urls()).in((a, v) -> set(a, 4, v))
        .use(Arbitraries.of(true, false)).in((a, v) -> set(a, 5, v))
        .use(Arbitraries.strings().all().ofMaxLength(64)
            .filter(s -> s.codePoints().noneMatch(Character::isISOControl) && Invite.wellFormed(s))).in((a, v) -> set(a, 6, v))
        .use(Arbitraries.longs().between(1, (1L << 53) - 1)).in((a, v) -> set(a, 8, v))
        .build(a -> new Invite((String) a[0], (String) a[1], (String) a[2], (String) a[3], (String) a[4],
            (Boolean) a[5], (String) a[6], GUARDIAN.publicKeyHex(), (Long) a[8]));
  }

  static Object[] set(Object[] a, int i, Object v) {
    a[i] = v;
    return a;
  }

  Arbitrary<String> urls() {
    return Arbitraries.of("http://127.0.0.1:5050", "https://relay.example.net", "http://[::1]:8080",
        "https://home.example.org:8443/kinmesh", "http://10.0.0.2");
  }

  @Property(tries = 300)
  void everyInviteRoundTrips(@ForAll("invites") Invite invite) throws Exception {
    String code = InviteCodec.encode(invite, GUARDIAN);
    assertThat(code).startsWith(InviteCodec.PREFIX).doesNotContain("\n", " ", "=");
    assertThat(code.length()).isLessThanOrEqualTo(InviteCodec.MAX_CODE_CHARS);
    assertThat(InviteCodec.decode(code)).isEqualTo(invite);
    assertThat(InviteCodec.decode("  " + code + "\n")).isEqualTo(invite);
  }

  @Property(tries = 500)
  void anyChangedCharacterIsRefused(@ForAll("invites") Invite invite, @ForAll @IntRange(min = 0, max = 4000) int at,
      @ForAll("codeChars") char replacement) {
    String code = InviteCodec.encode(invite, GUARDIAN);
    int i = at % code.length();
    if (code.charAt(i) == replacement) {
      return;
    }
    String changed = code.substring(0, i) + replacement + code.substring(i + 1);
    assertThatThrownBy(() -> InviteCodec.decode(changed)).isInstanceOf(InviteException.class);
  }

  @Provide
  Arbitrary<Character> codeChars() {
    return Arbitraries.chars().with("ABCabcxyz0189-_.=+/ ".toCharArray());
  }

  @Property(tries = 200)
  void aTruncatedOrExtendedCodeIsRefused(@ForAll("invites") Invite invite, @ForAll @IntRange(min = 1, max = 4000) int cut) {
    String code = InviteCodec.encode(invite, GUARDIAN);
    int keep = cut % code.length();
    assertThatThrownBy(() -> InviteCodec.decode(code.substring(0, keep))).isInstanceOf(InviteException.class);
    assertThatThrownBy(() -> InviteCodec.decode(code + "A")).isInstanceOf(InviteException.class);
  }

  /** A body re-signed by a key that is not the invite's guardian, or re-encoded with another guardian field. */
  @Property(tries = 100)
  void aCodeSignedByAnotherKeyIsRefused(@ForAll("invites") Invite invite) {
    String forged = InviteCodec.encode(invite, org.kinmesh.crypto.Hex.decode(OTHER.sign(InviteCodec.message(invite))));
    assertThatThrownBy(() -> InviteCodec.decode(forged)).isInstanceOf(InviteException.class)
        .hasMessageContaining("signature does not match");
    Invite asOther = new Invite(invite.id(), invite.blockchainId(), invite.genesisHash(), invite.relayUrl(),
        invite.genesisUrl(), invite.consensus(), invite.name(), OTHER.publicKeyHex(), invite.expiresAt());
    String swapped = InviteCodec.encode(asOther, org.kinmesh.crypto.Hex.decode(GUARDIAN.sign(InviteCodec.message(invite))));
    assertThatThrownBy(() -> InviteCodec.decode(swapped)).isInstanceOf(InviteException.class);
  }

  @Property(tries = 100)
  void expiryAndChainBindingAreChecked(@ForAll("invites") Invite invite) throws Exception {
    InviteCodec.check(invite, invite.expiresAt() - 1, invite.blockchainId(), invite.genesisHash());
    assertThatThrownBy(() -> InviteCodec.check(invite, invite.expiresAt(), invite.blockchainId(), invite.genesisHash()))
        .isInstanceOf(InviteException.class).hasMessageContaining("expired");
    String otherGenesis = invite.genesisHash().startsWith("0") ? "1" + invite.genesisHash().substring(1)
        : "0" + invite.genesisHash().substring(1);
    assertThatThrownBy(() -> InviteCodec.check(invite, invite.expiresAt() - 1, invite.blockchainId(), otherGenesis))
        .isInstanceOf(InviteException.class).hasMessageContaining("but this is chain");
    assertThatThrownBy(() -> InviteCodec.check(invite, invite.expiresAt() - 1, invite.blockchainId() + "x",
        invite.genesisHash())).isInstanceOf(InviteException.class).hasMessageContaining("but this is chain");
  }
}
