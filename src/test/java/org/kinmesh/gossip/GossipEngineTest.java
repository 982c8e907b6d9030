package org.kinmesh.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.kinmesh.crypto.Identity;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.wire.StrictJson;
import org.kinmesh.wire.gossip.Announce;
import org.kinmesh.wire.gossip.Delta;
import org.kinmesh.wire.gossip.Endpoint;
import org.kinmesh.wire.gossip.GossipDatagram;
import org.kinmesh.wire.gossip.NatType;
import org.kinmesh.wire.gossip.Pull;

/** The accept rules of PROTOCOL.md §3, driven directly on engines wired in memory, one manual clock. */
class GossipEngineTest {
  static final Endpoint EP = new Endpoint("203.0.113.7", 40000);

  EngineNet net = new EngineNet(3);

  long now() {
    return net.clock.nowSeconds();
  }

  byte[] announce(Identity who, String chain, long ts, long ver, Endpoint... eps) {
    return GossipEngine.encode(GossipDatagram.TYPE_ANNOUNCE,
        Announce.sign(who, chain, List.of(eps), NatType.FULL_CONE, ts, ver).toJson());
  }

  byte[] announce(int i, long ver, Endpoint... eps) {
    return announce(net.keys.get(i), EngineNet.CHAIN, now(), ver, eps);
  }

  byte[] pull(int i, long since, long ts) {
    return GossipEngine.encode(GossipDatagram.TYPE_PULL, Pull.sign(net.keys.get(i), EngineNet.CHAIN, since, ts).toJson());
  }

  static Delta parseDelta(byte[] d) throws Exception {
    return Delta.parse(GossipDatagram.body(d, GossipDatagram.TYPE_DELTA));
  }

  @Test
  void anAcceptedAnnounceFillsTheTableAndTheStore() {
    GossipEngine.Result r = net.send(1, 0, announce(1, 10, EP, new Endpoint("10.0.0.2", 7070)));
    assertThat(r.drop()).isNull();
    assertThat(r.updated()).containsExactly(net.key(1));
    PeerView v = net.e(0).table().view(net.key(1));
    assertThat(v.ver()).isEqualTo(10);
    assertThat(v.nat()).isEqualTo(NatType.FULL_CONE);
    assertThat(v.endpoints()).extracting(EndpointView::endpoint).containsExactly(EP, new Endpoint("10.0.0.2", 7070));
    assertThat(v.endpoints().get(0).sources()).isEqualTo(Source.GOSSIP.bit());
    assertThat(net.e(0).store().ver(net.key(1))).isEqualTo(10);
    assertThat(net.e(0).counters().get("announces_accepted")).isEqualTo(1);
  }

  @Test
  void anOutdatedOrRepeatedVersionIsIgnored() {
    net.send(1, 0, announce(1, 10, EP));
    Endpoint moved = new Endpoint("198.51.100.1", 1);
    assertThat(net.send(1, 0, announce(1, 9, moved)).drop()).isEqualTo(DropReason.OUTDATED);
    assertThat(net.send(1, 0, announce(1, 10, moved)).drop()).isEqualTo(DropReason.DUPLICATE);
    assertThat(net.e(0).table().view(net.key(1)).endpoints()).extracting(EndpointView::endpoint).containsExactly(EP);
    assertThat(net.e(0).counters().drops(DropReason.OUTDATED)).isEqualTo(1);
    // Strictly greater wins.
    assertThat(net.send(1, 0, announce(1, 11, moved)).drop()).isNull();
    assertThat(net.e(0).table().view(net.key(1)).endpoints()).extracting(EndpointView::endpoint)
        .containsExactly(moved);
  }

  @Test
  void aSkewedTimestampIsRejectedBeyondTheWindowEitherWay() {
    Identity k = net.keys.get(1);
    assertThat(net.send(1, 0, announce(k, EngineNet.CHAIN, now() - 301, 1, EP)).drop()).isEqualTo(DropReason.STALE);
    assertThat(net.send(1, 0, announce(k, EngineNet.CHAIN, now() + 301, 2, EP)).drop()).isEqualTo(DropReason.STALE);
    assertThat(net.e(0).table().contains(net.key(1))).isFalse();
    assertThat(net.e(0).counters().drops(DropReason.STALE)).isEqualTo(2);
    // The window's edges are inside.
    assertThat(net.send(1, 0, announce(k, EngineNet.CHAIN, now() - 300, 3, EP)).drop()).isNull();
    assertThat(net.send(1, 0, announce(k, EngineNet.CHAIN, now() + 300, 4, EP)).drop()).isNull();
  }

  @Test
  void anUnauthorizedKeyIsIgnored() {
    Identity stranger = TestKeys.key(999);
    GossipEngine.Result r = net.send(1, 0, announce(stranger, EngineNet.CHAIN, now(), 1, EP));
    assertThat(r.drop()).isEqualTo(DropReason.UNAUTHORIZED);
    assertThat(net.e(0).table().contains(stranger.publicKeyHex())).isFalse();
    assertThat(net.e(0).store().ver(stranger.publicKeyHex())).isEqualTo(-1);
    // Its pulls get no answer either.
    byte[] p = GossipEngine.encode(GossipDatagram.TYPE_PULL, Pull.sign(stranger, EngineNet.CHAIN, 0, now()).toJson());
    GossipEngine.Result pr = net.send(1, 0, p);
    assertThat(pr.drop()).isEqualTo(DropReason.UNAUTHORIZED);
    assertThat(pr.replies()).isEmpty();
  }

  @Test
  void anAnnounceSignedForAnotherBlockchainIsRejected() throws Exception {
    // Signed for "other": refused as such ...
    assertThat(net.send(1, 0, announce(net.keys.get(1), "other", now(), 1, EP)).drop())
        .isEqualTo(DropReason.WRONG_BLOCKCHAIN);
    // ... and with its blockchain_id rewritten to ours the signature no longer verifies.
    JsonObject forged = Announce.sign(net.keys.get(1), "other", List.of(EP), NatType.OPEN, now(), 1).toJson()
        .put("blockchain_id", EngineNet.CHAIN);
    assertThat(net.send(1, 0, GossipEngine.encode(GossipDatagram.TYPE_ANNOUNCE, forged)).drop())
        .isEqualTo(DropReason.INVALID_SIGNATURE);
    assertThat(net.e(0).table().contains(net.key(1))).isFalse();
  }

  @Test
  void aTamperedAnnounceIsRejected() {
    JsonObject a = Announce.sign(net.keys.get(1), EngineNet.CHAIN, List.of(EP), NatType.OPEN, now(), 5).toJson();
    a.put("endpoints", new JsonArray().add("198.51.100.66:666"));
    assertThat(net.send(1, 0, GossipEngine.encode(GossipDatagram.TYPE_ANNOUNCE, a)).drop())
        .isEqualTo(DropReason.INVALID_SIGNATURE);
    // A forged high version does not block the real, lower one.
    assertThat(net.send(1, 0, announce(1, 4, EP)).drop()).isNull();
  }

  @Test
  void badBytesAreDroppedAndCountedBeforeAnythingElse() {
    byte[] big = new byte[GossipDatagram.MAX_GOSSIP_BYTES + 1];
    big[0] = GossipDatagram.MAGIC;
    big[1] = GossipDatagram.VERSION;
    big[2] = GossipDatagram.TYPE_ANNOUNCE;
    assertThat(net.send(1, 0, big).drop()).isEqualTo(DropReason.TOO_LARGE);
    assertThat(net.send(1, 0, GossipDatagram.encode((byte) 0x05, "{}".getBytes(StandardCharsets.UTF_8))).drop())
        .isEqualTo(DropReason.UNSUPPORTED_TYPE);
    assertThat(net.send(1, 0, GossipDatagram.encode(GossipDatagram.TYPE_ANNOUNCE,
        "{\"type\":\"announce\"".getBytes(StandardCharsets.UTF_8))).drop()).isEqualTo(DropReason.MALFORMED);
    // Seven endpoints: the count is bounded before any endpoint is parsed.
    JsonObject seven = Announce.sign(net.keys.get(1), EngineNet.CHAIN, List.of(EP), NatType.OPEN, now(), 1).toJson();
    JsonArray eps = new JsonArray();
    for (int i = 1; i <= 7; i++) {
      eps.add("10.1.1." + i + ":1");
    }
    seven.put("endpoints", eps);
    assertThat(net.send(1, 0, GossipEngine.encode(GossipDatagram.TYPE_ANNOUNCE, seven)).drop())
        .isEqualTo(DropReason.MALFORMED);
    GossipCounters c = net.e(0).counters();
    assertThat(c.drops(DropReason.TOO_LARGE) + c.drops(DropReason.UNSUPPORTED_TYPE) + c.drops(DropReason.MALFORMED))
        .isEqualTo(4);
    assertThat(net.e(0).table().size()).isZero();
  }

  @Test
  void nothingIsAcceptedBeforeTheAuthorizedSetIsKnown() throws Exception {
    GossipEngine fresh = new GossipEngine(EngineNet.CHAIN, GossipConfig.defaults(), TestKeys.key(50), net.clock,
        new java.util.Random(1));
    assertThat(fresh.onDatagram("10.0.0.2", 7070, announce(1, 1, EP)).drop()).isEqualTo(DropReason.NOT_READY);
    assertThat(fresh.onDatagram("10.0.0.2", 7070, pull(1, 0, now())).replies()).isEmpty();
    assertThat(fresh.pullRound()).isEmpty();
  }

  @Test
  void aPullIsAnsweredWithADeltaAndTheWatermarkMovesOn() throws Exception {
    net.send(1, 0, announce(1, 1, EP));
    net.send(2, 0, announce(2, 1, new Endpoint("10.0.0.3", 7070)));
    GossipEngine.Result r = net.send(1, 0, net.verifiedPull(1, 0, 0, now()));
    assertThat(r.drop()).isNull();
    assertThat(r.replies()).hasSize(1);
    Delta d = parseDelta(r.replies().get(0).data());
    assertThat(d.from()).isEqualTo(net.key(0));
    assertThat(d.more()).isFalse();
    // The puller's own announce is not sent back to it; engine 0 has no own announce yet.
    assertThat(d.announces()).extracting(Announce::pubkey).containsExactly(net.key(2));
    assertThat(d.watermark()).isEqualTo(net.e(0).store().counter());
    // Since the watermark: nothing new, an empty answer that still says where we are.
    Delta again = parseDelta(net.send(1, 0, net.verifiedPull(1, 0, d.watermark(), now() + 1)).replies().get(0).data());
    assertThat(again.announces()).isEmpty();
    assertThat(again.watermark()).isEqualTo(d.watermark());
    // A responder that restarted (its counter below our since) answers from the start.
    Delta restarted = parseDelta(net.send(1, 0, net.verifiedPull(1, 0, d.watermark() + 1000, now() + 2)).replies().get(0).data());
    assertThat(restarted.announces()).extracting(Announce::pubkey).containsExactly(net.key(2));
  }

  @Test
  void aReplayedPullGetsNoAnswer() {
    byte[] p = net.verifiedPull(1, 0, 0, now());
    assertThat(net.send(1, 0, p).replies()).isNotEmpty();
    assertThat(net.e(0).counters().get("pulls_answered")).isEqualTo(1);
    GossipEngine.Result replay = net.send(1, 0, p);
    assertThat(replay.drop()).isEqualTo(DropReason.REPLAYED);
    assertThat(replay.replies()).isEmpty();
    // Also from another source address, and with an older timestamp.
    assertThat(net.send(2, 0, p).replies()).isEmpty();
    assertThat(net.send(1, 0, pull(1, 0, now() - 1)).drop()).isEqualTo(DropReason.REPLAYED);
    assertThat(net.e(0).counters().drops(DropReason.REPLAYED)).isEqualTo(3);
    // The next genuine pull is answered.
    assertThat(net.send(1, 0, pull(1, 0, now() + 1)).replies()).isNotEmpty();
  }

  @Test
  void unsignedStaleOrForeignPullsGetNoAnswer() {
    JsonObject bad = Pull.sign(net.keys.get(1), EngineNet.CHAIN, 0, now()).toJson().put("since", 5);
    GossipEngine.Result r = net.send(1, 0, GossipEngine.encode(GossipDatagram.TYPE_PULL, bad));
    assertThat(r.drop()).isEqualTo(DropReason.INVALID_SIGNATURE);
    assertThat(r.replies()).isEmpty();
    assertThat(net.send(1, 0, pull(1, 0, now() - 400)).replies()).isEmpty();
    byte[] other = GossipEngine.encode(GossipDatagram.TYPE_PULL, Pull.sign(net.keys.get(1), "other", 0, now()).toJson());
    assertThat(net.send(1, 0, other).drop()).isEqualTo(DropReason.WRONG_BLOCKCHAIN);
    // None of them used up the puller's replay slot: a genuine pull at the same second passes.
    assertThat(net.send(1, 0, pull(1, 0, now())).replies()).isNotEmpty();
  }

  @Test
  void aDeltaIsTakenOnlyFromAnAddressWePulled() {
    net.e(2).announceSelf();
    // Engine 0 never pulled engine 2: its delta is refused.
    byte[] delta = net.send(0, 2, net.verifiedPull(0, 2, 0, now())).replies().get(0).data();
    GossipEngine.Result r = net.send(2, 0, delta);
    assertThat(r.drop()).isEqualTo(DropReason.UNSOLICITED);
    // Now engine 0 learns engine 2 from its announce and pulls it: taken.
    assertThat(net.announceTo(2, 0).drop()).isNull();
    net.clock.advanceSeconds(1); // our hand-made pull above used this second of engine 0's
    net.pull(0);
    assertThat(net.e(0).table().contains(net.key(2))).isTrue();
    assertThat(net.e(0).counters().get("pulls_completed")).isPositive();
    // The same delta again, after the pull completed: unsolicited.
    assertThat(net.send(2, 0, delta).drop()).isEqualTo(DropReason.UNSOLICITED);
  }

  @Test
  void eachAnnounceInsideADeltaIsVerifiedOnItsOwn() throws Exception {
    net.send(1, 0, announce(1, 1, EP));
    net.announceTo(2, 0); // engine 0 learns engine 2 and will pull it
    List<GossipEngine.Outgoing> pulls = net.e(0).pullRound();
    assertThat(pulls).extracting(GossipEngine.Outgoing::toKey).contains(net.key(2));
    // Engine 2 answers with a delta holding one good announce (engine 1's) and a forged one.
    Announce good = Announce.sign(net.keys.get(1), EngineNet.CHAIN, List.of(new Endpoint("192.0.2.1", 1)),
        NatType.OPEN, now(), 2);
    Announce forged = new Announce(EngineNet.CHAIN, net.key(2), List.of(new Endpoint("192.0.2.66", 66)),
        NatType.OPEN, now(), net.e(2).ownVer() + 1000, good.sig());
    Delta d = new Delta(EngineNet.CHAIN, net.key(2), 7, List.of(good, forged), false);
    GossipEngine.Result r = net.send(2, 0, GossipEngine.encode(GossipDatagram.TYPE_DELTA, d.toJson()));
    assertThat(r.drop()).isNull();
    assertThat(net.e(0).table().view(net.key(1)).ver()).isEqualTo(2);
    assertThat(net.e(0).table().view(net.key(2)).endpoints()).extracting(EndpointView::endpoint)
        .doesNotContain(new Endpoint("192.0.2.66", 66));
    assertThat(net.e(0).counters().drops(DropReason.INVALID_SIGNATURE)).isEqualTo(1);
  }

  @Test
  void aPullNeverTurnsIntoMoreThanTheBoundedNumberOfDatagrams() throws Exception {
    EngineNet big = new EngineNet(40, new JsonObject().put("max_delta_datagrams", 2));
    for (int i = 1; i < 40; i++) {
      big.send(i, 0, GossipEngine.encode(GossipDatagram.TYPE_ANNOUNCE, Announce.sign(big.keys.get(i), EngineNet.CHAIN,
          List.of(EngineNet.endpoint(i)), NatType.OPEN, big.clock.nowSeconds(), 1).toJson()));
    }
    byte[] p = big.verifiedPull(39, 0, 0, big.clock.nowSeconds());
    List<GossipEngine.Outgoing> answer = big.send(39, 0, p).replies();
    assertThat(answer).hasSize(2);
    for (GossipEngine.Outgoing o : answer) {
      assertThat(o.data().length).isLessThanOrEqualTo(GossipDatagram.MAX_GOSSIP_BYTES);
    }
    Delta first = parseDelta(answer.get(0).data());
    Delta last = parseDelta(answer.get(1).data());
    assertThat(first.more()).isTrue();
    assertThat(last.more()).isFalse();
    // Cut short: the watermark is the last announce sent, so the next pull continues right after it.
    assertThat(last.watermark()).isLessThan(big.e(0).store().counter());
    assertThat(big.e(0).counters().get("deltas_truncated")).isEqualTo(1);
    // And the puller accepts no more than two datagrams for one pull.
    big.e(39).table().addEndpoint(big.key(0), EngineNet.endpoint(0), Source.LOCAL, 40, big.clock.nowMillis(),
        NatType.UNKNOWN, -1);
    List<GossipEngine.Outgoing> pulls = big.e(39).pullRound();
    assertThat(pulls).hasSize(1);
    byte[] more = GossipEngine.encode(GossipDatagram.TYPE_DELTA,
        new Delta(EngineNet.CHAIN, big.key(0), 1, List.of(), true).toJson());
    assertThat(big.send(0, 39, more).drop()).isNull();
    assertThat(big.send(0, 39, more).drop()).isNull();
    assertThat(big.send(0, 39, more).drop()).isEqualTo(DropReason.DELTA_OVER_LIMIT);
  }

  @Test
  void perPeerAndPerSourceRatesAreBounded() {
    // 100 pulls a second from one key are answered; the 101st is not (timestamps ahead, all within the window).
    for (int i = 0; i < 100; i++) {
      assertThat(net.send(1, 0, pull(1, 0, now() + i)).drop()).isNull();
    }
    assertThat(net.send(1, 0, pull(1, 0, now() + 100)).drop()).isEqualTo(DropReason.RATE_LIMITED_PEER);
    net.clock.advanceSeconds(1);
    assertThat(net.send(1, 0, pull(1, 0, now() + 101)).drop()).isNull();

    EngineNet limited = new EngineNet(3, new JsonObject().put("source_ops_per_sec", 5));
    for (int i = 0; i < 5; i++) {
      assertThat(limited.send(1, 0, new byte[] {1}).drop()).isEqualTo(DropReason.UNSUPPORTED_TYPE);
    }
    assertThat(limited.send(1, 0, new byte[] {1}).drop()).isEqualTo(DropReason.RATE_LIMITED_SOURCE);
    assertThat(limited.send(2, 0, new byte[] {1}).drop()).isEqualTo(DropReason.UNSUPPORTED_TYPE);
  }

  @Test
  void ourOwnAnnounceFromAnEarlierLifeMakesOurVersionJump() {
    Identity me = net.keys.get(0);
    net.e(0).announceSelf();
    long mine = net.e(0).ownVer();
    GossipEngine.Result r = net.send(1, 0, announce(me, EngineNet.CHAIN, now(), mine + 5000, EP));
    assertThat(r.drop()).isEqualTo(DropReason.SELF);
    assertThat(net.e(0).takeReannounce()).isTrue();
    assertThat(net.e(0).takeReannounce()).isFalse();
    assertThat(net.e(0).announceSelf().ver()).isGreaterThan(mine + 5000);
    // A forged one (not our signature) changes nothing.
    JsonObject forged = Announce.sign(net.keys.get(1), EngineNet.CHAIN, List.of(EP), NatType.OPEN, now(), 1).toJson()
        .put("pubkey", me.publicKeyHex()).put("ver", Long.MAX_VALUE / 2);
    net.send(1, 0, GossipEngine.encode(GossipDatagram.TYPE_ANNOUNCE, forged));
    assertThat(net.e(0).takeReannounce()).isFalse();
  }

  @Test
  void threeEnginesConvergeThroughOneSeedOnly() {
    // Engines 1 and 2 know only engine 0's address, not its key.
    JsonObject cfg = new JsonObject().put("seeds", new JsonArray().add(EngineNet.endpoint(0).toString()));
    EngineNet seeded = new EngineNet(3, cfg);
    for (int i = 0; i < 3; i++) {
      seeded.announce(i);
    }
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < 3; i++) {
        seeded.pull(i);
      }
    }
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 3; j++) {
        if (i != j) {
          assertThat(seeded.e(i).table().endpoints(seeded.key(j))).extracting(EndpointView::endpoint)
              .as("engine %d knows engine %d", i, j).containsExactly(EngineNet.endpoint(j));
        }
      }
      // All in one second of the clock: pulls to the seed's address and, later, to its key never collide.
      assertThat(seeded.e(i).counters().drops(DropReason.REPLAYED)).isZero();
    }
  }

  @Test
  void deauthorizedPeersLeaveTheTableAndTheStore() {
    net.send(1, 0, announce(1, 1, EP));
    net.send(2, 0, announce(2, 1, EngineNet.endpoint(2)));
    List<String> gone = net.e(0).authorize(Set.of(net.key(0), net.key(2)));
    assertThat(gone).containsExactly(net.key(1));
    assertThat(net.e(0).table().contains(net.key(1))).isFalse();
    assertThat(net.e(0).store().ver(net.key(1))).isEqualTo(-1);
    assertThat(net.e(0).table().contains(net.key(2))).isTrue();
  }

  @Test
  void linkOutcomesPromoteAndRotateEndpoints() {
    Endpoint second = new Endpoint("10.0.0.2", 7070);
    net.send(1, 0, announce(1, 1, EP, second));
    assertThat(net.e(0).table().endpoints(net.key(1)).get(0).endpoint()).isEqualTo(EP);
    net.e(0).report(net.key(1), EP, false, null);
    assertThat(net.e(0).table().endpoints(net.key(1)).get(0).endpoint()).isEqualTo(second);
    net.e(0).report(net.key(1), second, true, null);
    assertThat(net.e(0).table().endpoints(net.key(1)).get(0).reachable()).isEqualTo(Reachability.YES);
    // An endpoint found through the relay that worked is added with that source.
    Endpoint viaRelay = new Endpoint("198.51.100.9", 9);
    assertThat(net.e(0).report(net.key(1), viaRelay, true, Source.RELAY)).isTrue();
    assertThat(net.e(0).table().endpoints(net.key(1))).extracting(EndpointView::endpoint).contains(viaRelay);
    // Nothing for keys that are not authorized.
    assertThat(net.e(0).report(TestKeys.key(999).publicKeyHex(), viaRelay, true, Source.RELAY)).isFalse();
  }

  @Test
  void theHttpFallbackTakesDatagramsOrJsonAndAnswersPullsInTheBody() throws Exception {
    net.send(2, 0, announce(2, 1, EngineNet.endpoint(2)));
    GossipEngine.HttpAnswer a = net.e(0).onHttp("10.0.0.2",
        Pull.sign(net.keys.get(1), EngineNet.CHAIN, 0, now()).toJson().encode().getBytes(StandardCharsets.UTF_8));
    assertThat(a.status()).isEqualTo(200);
    JsonObject body = new JsonObject(a.body());
    assertThat(body.getJsonArray("deltas")).hasSize(1);
    Delta d = Delta.parse(StrictJson.parse(body.getJsonArray("deltas").getJsonObject(0).encode()
        .getBytes(StandardCharsets.UTF_8)));
    assertThat(d.announces()).extracting(Announce::pubkey).containsExactly(net.key(2));
    // The same pull again: replayed, 409 and no deltas.
    GossipEngine.HttpAnswer replay = net.e(0).onHttp("10.0.0.2",
        Pull.sign(net.keys.get(1), EngineNet.CHAIN, 0, now()).toJson().encode().getBytes(StandardCharsets.UTF_8));
    assertThat(replay.status()).isEqualTo(409);
    assertThat(new JsonObject(replay.body()).getString("error")).isEqualTo("replayed");
    // A datagram body works the same way; an announce is accepted.
    GossipEngine.HttpAnswer ann = net.e(0).onHttp("10.0.0.2", announce(1, 3, EP));
    assertThat(ann.status()).isEqualTo(200);
    assertThat(net.e(0).table().contains(net.key(1))).isTrue();
    // Bad input: a delta, a non-object, an over-size body.
    assertThat(net.e(0).onHttp("10.0.0.2", d.toJson().encode().getBytes(StandardCharsets.UTF_8)).status())
        .isEqualTo(400);
    assertThat(net.e(0).onHttp("10.0.0.2", "[1]".getBytes(StandardCharsets.UTF_8)).status()).isEqualTo(400);
    assertThat(net.e(0).onHttp("10.0.0.2", new byte[1201]).status()).isEqualTo(413);
    GossipEngine.HttpAnswer stale = net.e(0).onHttp("10.0.0.2", announce(net.keys.get(1), EngineNet.CHAIN,
        now() - 1000, 9, EP));
    assertThat(stale.status()).isEqualTo(401);
    assertThat(new JsonObject(stale.body()).getString("error")).isEqualTo("stale_timestamp");
  }

  @Test
  void cachedVersionsHoldEvenForKeysTheTableDoesNotKeep() throws Exception {
    EngineNet small = new EngineNet(3, new JsonObject().put("max_peers", 1));
    List<CachedEndpoint> rows = List.of(
        new CachedEndpoint(small.key(1), EngineNet.endpoint(1), NatType.OPEN, small.clock.nowSeconds(), 50, 40, 1),
        new CachedEndpoint(small.key(2), EngineNet.endpoint(2), NatType.OPEN, small.clock.nowSeconds(), 50, 40, 1));
    small.e(0).loadCache(rows);
    assertThat(small.e(0).table().size()).isEqualTo(1);
    for (int i = 1; i <= 2; i++) {
      byte[] same = GossipEngine.encode(GossipDatagram.TYPE_ANNOUNCE, Announce.sign(small.keys.get(i), EngineNet.CHAIN,
          List.of(EP), NatType.OPEN, small.clock.nowSeconds(), 50).toJson());
      assertThat(small.send(i, 0, same).drop()).isEqualTo(DropReason.DUPLICATE);
      assertThat(small.e(0).knownVer(small.key(i))).isEqualTo(50);
    }
    // Remembered versions are never sent: a pull gets an empty delta.
    byte[] p = small.verifiedPull(1, 0, 0, small.clock.nowSeconds());
    assertThat(parseDelta(small.send(1, 0, p).replies().get(0).data()).announces()).isEmpty();
    byte[] newer = GossipEngine.encode(GossipDatagram.TYPE_ANNOUNCE, Announce.sign(small.keys.get(2), EngineNet.CHAIN,
        List.of(EP), NatType.OPEN, small.clock.nowSeconds(), 51).toJson());
    assertThat(small.send(2, 0, newer).drop()).isNull();
  }
}
