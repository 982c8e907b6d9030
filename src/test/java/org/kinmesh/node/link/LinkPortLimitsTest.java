package org.kinmesh.node.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.kinmesh.net.ServerLimits;
import org.kinmesh.testing.Flood;
import org.kinmesh.testing.HttpLayerErrors;
import org.kinmesh.testing.RawHttp;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.util.TimeSource;

/** The link port (it listens on every interface): HTTP-layer errors, the upgrade deadline, the per-address cap. */
class LinkPortLimitsTest {
  LinkNode node;

  @AfterEach
  void close() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  LinkNode start(ServerLimits limits) {
    node = new LinkNode(TestKeys.key(41), new HashMap<>(), LinkNode.fast(0).withServerLimits(limits),
        TimeSource.SYSTEM);
    return node;
  }

  @Test
  void httpLayerErrorsAreJson() throws Exception {
    start(new ServerLimits(10_000, 60_000, 64));
    HttpLayerErrors.assertAllAnsweredAsJson(node.links.boundPort());
    HttpLayerErrors.assertJsonError(node.links.boundPort(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 404, "not_found");
  }

  @Test
  void aStalledUpgradeIsCutAtTheDeadline() throws Exception {
    start(new ServerLimits(1_000, 60_000, 64));
    try (Socket s = RawHttp.connect(node.links.boundPort(), null)) {
      // The head of an upgrade, never finished.
      s.getOutputStream().write(("GET " + LinkSettings.PATH + " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      long start = System.nanoTime();
      assertThat(RawHttp.closedWithin(s, 5_000)).isTrue();
      assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(3_000);
    }
  }

  @Test
  void oneAddressHoldsAtMostTheCap() throws Exception {
    start(new ServerLimits(3_000, 60_000, 4));
    try (Flood flood = new Flood()) {
      flood.open(node.links.boundPort(), "127.0.0.5", 10);
      flood.assertAllClosedWithin(5_000);
      // Six were over the cap and closed at accept; the 3-s deadline closed the other four.
      assertThat(node.links.connectionStats().refused()).isEqualTo(6);
      assertThat(node.links.connectionStats().timedOut()).isEqualTo(4);
    }
  }
}
