package org.kinmesh.node.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.kinmesh.wire.WireException;
import org.kinmesh.wire.gossip.Endpoint;

class CallMeTest {
  @Test
  void roundTripsAndIsRecognisedAsControl() throws WireException {
    CallMe c = new CallMe(List.of(new Endpoint("203.0.113.5", 7070), new Endpoint("2001:db8::1", 7070)));
    String text = c.encode();
    assertTrue(CallMe.isControl(text));
    assertEquals(c, CallMe.parse(text));
    assertFalse(CallMe.isControl("{\"type\":\"pbft\",\"kinmesh_link\":\"call_me\"}"), "prefix only");
  }

  @Test
  void refusesMalformedControlMessages() {
    assertThrows(WireException.class, () -> CallMe.parse("{\"kinmesh_link\":\"other\",\"endpoints\":[]}"));
    assertThrows(WireException.class, () -> CallMe.parse("{\"kinmesh_link\":\"call_me\",\"endpoints\":[\"x\"]}"));
    assertThrows(WireException.class, () -> CallMe.parse("{\"kinmesh_link\":\"call_me\",\"endpoints\":[1]}"));
    assertThrows(WireException.class, () -> CallMe.parse("{\"kinmesh_link\":\"call_me\",\"endpoints\":["
        + "\"1.1.1.1:1\",".repeat(9) + "\"1.1.1.1:2\"]}"), "too many");
    assertThrows(WireException.class, () -> CallMe.parse("{\"kinmesh_link\":\"call_me\",\"kinmesh_link\":\"call_me\","
        + "\"endpoints\":[]}"), "duplicate key");
    assertThrows(WireException.class, () -> CallMe.parse("{\"kinmesh_link\":\"call_me\",\"endpoints\":[],\"pad\":\""
        + "x".repeat(2_000) + "\"}"), "over 1 KiB");
  }
}
