package org.kinmesh.node.link;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.kinmesh.node.link.TcpLinkChoice.Adopted;
import org.kinmesh.node.link.TcpLinkChoice.Closed;

/** One peer's links as the lower key sees them: the links it dialed are the preferred ones. */
class TcpLinkChoiceTest {
  record Link(String name, boolean dialedByUs) {}

  final Link ours = new Link("ours", true);
  final Link theirs = new Link("theirs", false);
  final TcpLinkChoice<Link> choice = new TcpLinkChoice<>(Link::dialedByUs);

  @Test
  void thePeerClosingOurLinkAsADuplicateWhileOursIsInItsHandshakeIsAHandOver() {
    choice.dialing(ours);
    assertThat(choice.adopt(theirs)).isEqualTo(Adopted.FIRST);
    assertThat(choice.closed(theirs, true)).isEqualTo(Closed.HANDOVER);
    assertThat(choice.linked()).as("the path stays up").isTrue();
    assertThat(choice.current()).isNull();
    assertThat(choice.adopt(ours)).isEqualTo(Adopted.HANDED_OVER);
    assertThat(choice.current()).isSameAs(ours);
  }

  @Test
  void messagesWaitForTheKeptLinkOnlyDuringAHandOverAndOnlyAFew() {
    assertThat(choice.hold("no hand-over")).isFalse();
    choice.dialing(ours);
    choice.adopt(theirs);
    assertThat(choice.hold("on a current link")).isFalse();
    choice.closed(theirs, true);
    for (int i = 0; i < TcpLinkChoice.MAX_HELD; i++) {
      assertThat(choice.hold("m" + i)).isTrue();
    }
    assertThat(choice.hold("one too many")).isFalse();
    choice.adopt(ours);
    assertThat(choice.takeHeld()).hasSize(TcpLinkChoice.MAX_HELD).startsWith("m0", "m1").endsWith("m127");
    assertThat(choice.takeHeld()).as("handed out once").isEmpty();
    assertThat(choice.hold("after the hand-over")).isFalse();
  }

  @Test
  void whatWaitedIsHandedBackWhenTheHandOverFailsAndForgottenWhenCleared() {
    choice.dialing(ours);
    choice.adopt(theirs);
    choice.closed(theirs, true);
    choice.hold("lost");
    choice.closed(ours, false);
    assertThat(choice.takeHeld()).containsExactly("lost");

    Link again = new Link("ours again", true);
    choice.dialing(again);
    choice.adopt(theirs);
    choice.closed(theirs, true);
    choice.hold("forgotten");
    choice.clear();
    assertThat(choice.takeHeld()).isEmpty();
  }

  @Test
  void theLinkAHandOverWaitsForFailingIsDown() {
    choice.dialing(ours);
    choice.adopt(theirs);
    choice.closed(theirs, true);
    assertThat(choice.closed(ours, false)).isEqualTo(Closed.HANDOVER_FAILED);
    assertThat(choice.linked()).isFalse();
    // The next link is a first one again.
    assertThat(choice.adopt(theirs)).isEqualTo(Adopted.FIRST);
  }

  @Test
  void aCloseThatIsNotADuplicateIsDownEvenWithOurDialUnderWay() {
    choice.dialing(ours);
    choice.adopt(theirs);
    assertThat(choice.closed(theirs, false)).isEqualTo(Closed.DOWN);
    assertThat(choice.linked()).isFalse();
    assertThat(choice.adopt(ours)).isEqualTo(Adopted.FIRST);
  }

  @Test
  void aDuplicateCloseWithNothingPreferredUnderWayIsDown() {
    Link theirsAgain = new Link("theirs again", false);
    choice.dialing(theirsAgain); // not preferred: cannot be what the peer kept
    choice.adopt(theirs);
    assertThat(choice.closed(theirs, true)).isEqualTo(Closed.DOWN);
    assertThat(choice.linked()).isFalse();
  }

  @Test
  void thePreferredLinkReplacesTheOtherAndTheOtherIsRetired() {
    choice.dialing(ours);
    choice.adopt(theirs);
    assertThat(choice.adopt(ours)).isEqualTo(Adopted.REPLACED);
    assertThat(choice.retired()).isSameAs(theirs);
    assertThat(choice.current()).isSameAs(ours);
    assertThat(choice.closed(theirs, false)).as("the retired link closing changes nothing").isEqualTo(Closed.IGNORED);
    assertThat(choice.linked()).isTrue();
  }

  @Test
  void aSecondLinkIsTheDuplicateWhenTheCurrentIsPreferredOrItIsNot() {
    choice.adopt(ours);
    assertThat(choice.adopt(theirs)).isEqualTo(Adopted.DUPLICATE);
    assertThat(choice.current()).isSameAs(ours);
    assertThat(choice.closed(theirs, false)).isEqualTo(Closed.IGNORED);

    TcpLinkChoice<Link> other = new TcpLinkChoice<>(Link::dialedByUs);
    other.adopt(theirs);
    assertThat(other.adopt(new Link("theirs too", false))).isEqualTo(Adopted.DUPLICATE);
    assertThat(other.current()).isSameAs(theirs);
  }

  @Test
  void clearingForgetsEverythingAndHandsBackTheCurrentLink() {
    choice.dialing(ours);
    choice.adopt(theirs);
    assertThat(choice.clear()).isSameAs(theirs);
    assertThat(choice.linked()).isFalse();
    assertThat(choice.closed(theirs, true)).as("after clearing, no hand-over").isEqualTo(Closed.IGNORED);
    assertThat(choice.closed(ours, false)).isEqualTo(Closed.IGNORED);

    choice.dialing(ours);
    choice.adopt(theirs);
    choice.closed(theirs, true);
    assertThat(choice.clear()).as("during a hand-over there is no current link").isNull();
    assertThat(choice.linked()).isFalse();
  }
}
