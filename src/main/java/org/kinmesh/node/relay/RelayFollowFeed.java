package org.kinmesh.node.relay;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.kinmesh.chain.Block;
import org.kinmesh.chain.GovernanceState;
import org.kinmesh.chain.NodeRecord;
import org.kinmesh.node.NodeAddresses;
import org.kinmesh.relay.client.RelayAnswer;
import org.kinmesh.relay.client.RelayHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the relay up to this node's committed height (docs/relay.md, "Following the chain"):
 * asks where the relay stands, then sends the blocks it lacks, in order, with their commit
 * certificates, a batch at a time. The relay checks every certificate itself, so any node may
 * do it and a relay that missed blocks is caught up by the next node that talks to it. Runs one
 * round at a time; a kick during a round runs one more after it.
 */
final class RelayFollowFeed {
  private static final Logger LOG = LoggerFactory.getLogger(RelayFollowFeed.class);
  /** Blocks per request (the relay takes at most 64) and roughly the bytes. */
  static final int MAX_BLOCKS = 32;
  static final long MAX_BYTES = 4L << 20;
  private static final long LEDGER_TIMEOUT_MS = 5_000;

  private final Vertx vertx;
  private final RelayHttpClient http;
  private final String blockchainId;
  private final String log;
  private boolean running;
  private boolean again;
  private String lastProblem;
  /** The chain's keys (key -> active) at the last commit seen: a change is handed over at once. */
  private Map<String, Boolean> lastKeys;
  private volatile long relayHeight = -2;
  private volatile int blocksSent;

  /** Called when the relay's followed height went up since its last answer (it may know new keys). */
  private final Runnable relayMoved;
  /** The ledger's addresses of the node this feed belongs to. */
  private final NodeAddresses.Ledger ledger;

  RelayFollowFeed(Vertx vertx, NodeAddresses.Ledger ledger, RelayHttpClient http, String blockchainId, String log,
      Runnable relayMoved) {
    this.ledger = ledger;
    this.relayMoved = relayMoved;
    this.vertx = vertx;
    this.http = http;
    this.blockchainId = blockchainId;
    this.log = log;
  }

  /** The relay's followed height at its last answer (-1: not following yet; -2: not known). */
  long relayHeight() {
    return relayHeight;
  }

  int blocksSent() {
    return blocksSent;
  }

  /** After a commit: hands the relay the chain at once when the block changed who is authorized. */
  void committed() {
    ledgerState().onSuccess(s -> {
      Map<String, Boolean> keys = new java.util.TreeMap<>();
      for (NodeRecord n : s.nodes().values()) {
        keys.put(n.pubkey(), n.active());
      }
      boolean changed = lastKeys != null && !keys.equals(lastKeys);
      lastKeys = keys;
      if (changed) {
        kick();
      }
    });
  }

  /** Starts a round now, or one more after the one running. */
  void kick() {
    if (running) {
      again = true;
      return;
    }
    running = true;
    again = false;
    long before = relayHeight;
    round().onComplete(ar -> {
      running = false;
      if (relayHeight > before) {
        relayMoved.run();
      }
      if (ar.failed() && ar.cause() instanceof io.vertx.core.eventbus.ReplyException r
          && r.failureType() == io.vertx.core.eventbus.ReplyFailure.NO_HANDLERS) {
        LOG.debug("{} op=relay.follow no ledger here: nothing to hand the relay", log);
      } else if (ar.failed()) {
        String problem = String.valueOf(ar.cause().getMessage());
        // Once per distinct problem: a relay that refuses for an hour is one line.
        if (!problem.equals(lastProblem)) {
          LOG.warn("{} op=relay.follow the relay did not take our blocks: {}", log, problem);
        }
        lastProblem = problem;
      } else {
        lastProblem = null;
      }
      if (again) {
        kick();
      }
    });
  }

  private Future<Void> round() {
    return ledgerState().compose(s -> http.followState(blockchainId).compose(a -> {
      if (a.status() != 200) {
        return Future.failedFuture(describe(a));
      }
      relayHeight = a.body().getLong("height", -1L);
      return relayHeight >= s.height() ? Future.succeededFuture() : push(relayHeight + 1, s.height());
    }));
  }

  /** Sends blocks from..to in batches, each batch once the relay took the one before. */
  private Future<Void> push(long from, long to) {
    return collect(from, to, new ArrayList<>(), 0).compose(batch -> http.follow(blockchainId, batch).compose(a -> {
      if (a.status() != 200) {
        return Future.failedFuture(describe(a));
      }
      blocksSent += a.body().getInteger("applied", 0);
      relayHeight = a.body().getLong("height", -1L);
      if (relayHeight >= from + batch.size() - 1 && relayHeight < to) {
        return push(relayHeight + 1, to);
      }
      if (relayHeight < to) {
        return Future.failedFuture("the relay stayed at height " + relayHeight + " after blocks " + from + ".."
            + (from + batch.size() - 1));
      }
      LOG.debug("{} op=relay.follow relay at height {}", log, relayHeight);
      return Future.succeededFuture();
    }));
  }

  private Future<List<Block>> collect(long h, long to, List<Block> batch, long bytes) {
    if (h > to || batch.size() >= MAX_BLOCKS || (bytes >= MAX_BYTES && !batch.isEmpty())) {
      return Future.succeededFuture(batch);
    }
    return vertx.eventBus().<Block>request(ledger.block(), new JsonObject().put("height", h),
        new DeliveryOptions().setSendTimeout(LEDGER_TIMEOUT_MS)).compose(m -> {
          Block b = m.body();
          batch.add(b);
          return collect(h + 1, to, batch, bytes + b.toJsonBytes().length);
        });
  }

  private Future<GovernanceState> ledgerState() {
    return vertx.eventBus().<GovernanceState>request(ledger.state(), null,
        new DeliveryOptions().setSendTimeout(LEDGER_TIMEOUT_MS)).map(m -> m.body());
  }

  private static Throwable describe(RelayAnswer a) {
    return new IllegalStateException("relay answered " + a.status() + " " + a.errorCode() + ": "
        + a.body().getString("message", ""));
  }
}
