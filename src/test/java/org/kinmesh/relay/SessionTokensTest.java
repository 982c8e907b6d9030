package org.kinmesh.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SessionTokensTest {
  static final String KEY = "ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c";
  final byte[] mac = new byte[32];
  final SessionTokens tokens = new SessionTokens(mac);

  @Test
  void roundTripsClaims() {
    String token = tokens.issue("family_network_001", KEY, 1_767_225_900L);
    assertThat(token.length()).isLessThanOrEqualTo(SessionTokens.MAX_TOKEN_CHARS);
    assertThat(tokens.verify(token)).isEqualTo(new SessionTokens.Claims("family_network_001", KEY, 1_767_225_900L));
  }

  @Test
  void rejectsForgeriesAndGarbage() {
    String token = tokens.issue("fam", KEY, 100);
    byte[] otherKey = new byte[32];
    Arrays.fill(otherKey, (byte) 1);
    assertThat(new SessionTokens(otherKey).verify(token)).isNull();
    String[] parts = token.split("\\.");
    String otherClaims = tokens.issue("other", KEY, 100).split("\\.")[0];
    assertThat(tokens.verify(otherClaims + "." + parts[1])).isNull();
    assertThat(tokens.verify(null)).isNull();
    assertThat(tokens.verify("")).isNull();
    assertThat(tokens.verify("a.b.c")).isNull();
    assertThat(tokens.verify("!!!.???")).isNull();
    assertThat(tokens.verify("x".repeat(600))).isNull();
  }
}
