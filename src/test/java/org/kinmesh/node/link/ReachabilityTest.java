package org.kinmesh.node.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.kinmesh.node.link.PathKind.DIRECT_TCP;
import static org.kinmesh.node.link.PathKind.DIRECT_UDP;
import static org.kinmesh.node.link.PathKind.NONE;
import static org.kinmesh.node.link.PathKind.RELAYED;

import org.junit.jupiter.api.Test;
import org.kinmesh.node.link.Reachability.Change;

class ReachabilityTest {
  final Reachability r = new Reachability();

  @Test
  void aPathAloneIsNotUpUntilThePeerIsHeard() {
    // Our relay connection makes every peer's relayed path "up" before any of them spoke.
    assertThat(r.after(NONE, RELAYED)).isEqualTo(Change.NONE);
    assertThat(r.up()).isFalse();
    r.heard();
    assertThat(r.after(RELAYED, RELAYED)).isEqualTo(Change.UP);
    assertThat(r.after(RELAYED, RELAYED)).as("said once").isEqualTo(Change.NONE);
  }

  @Test
  void aPathChangeWhileUpIsAnnouncedAndNoPathLeftIsDown() {
    r.heard();
    assertThat(r.after(NONE, DIRECT_TCP)).isEqualTo(Change.UP);
    assertThat(r.after(DIRECT_TCP, DIRECT_UDP)).isEqualTo(Change.PATH_CHANGED);
    assertThat(r.after(DIRECT_UDP, NONE)).isEqualTo(Change.DOWN);
    assertThat(r.up()).isFalse();
    assertThat(r.after(NONE, DIRECT_TCP)).as("up again only once heard again").isEqualTo(Change.NONE);
    r.heard();
    assertThat(r.after(DIRECT_TCP, DIRECT_TCP)).isEqualTo(Change.UP);
  }

  @Test
  void deauthorizingAPeerThatIsUpOnAnyPathIsADownOnce() {
    r.heard();
    r.after(NONE, RELAYED);
    assertThat(r.deauthorized()).as("up through the relay only: still a down").isTrue();
    assertThat(r.up()).isFalse();
    assertThat(r.deauthorized()).isFalse();

    Reachability never = new Reachability();
    never.heard();
    assertThat(never.deauthorized()).as("never reported up: nothing to take back").isFalse();
  }
}
