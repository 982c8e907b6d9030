package org.kinmesh.node.link;

import java.util.HashMap;
import java.util.Map;
import org.kinmesh.crypto.KeyIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Peers whose signed hello (TCP or relayed) names another genesis of our blockchain id: another
 * chain with the same keys, e.g. from a second run of an old `kinmesh genesis` (issue 12.5). Each
 * refusal is counted ({@code genesis_mismatch}); each peer is logged once per genesis it names,
 * not at every redial. When most peers disagree with us, this node is the odd one and says so.
 */
final class GenesisRefusals {
  private static final Logger LOG = LoggerFactory.getLogger(LinksVerticle.class);
  static final int PREFIX = 8;

  private final LinkContext ctx;
  /** Peer key -> the genesis it named. */
  private final Map<String, String> theirs = new HashMap<>();
  private boolean oddOneSaid;
  /** Closes the peer's other paths (UDP) once it is refused. */
  private java.util.function.Consumer<Peer> onRefused = p -> { };

  GenesisRefusals(LinkContext ctx) {
    this.ctx = ctx;
  }

  void onRefused(java.util.function.Consumer<Peer> action) {
    this.onRefused = action;
  }

  /** The reason text for /peers and the close frame: both hashes' prefixes. */
  String reason(String theirGenesis) {
    return Rejection.GENESIS_MISMATCH.code() + " ours=" + prefix(ctx.genesis) + " theirs=" + prefix(theirGenesis);
  }

  /** A signed hello of an authorized peer names another genesis: count, remember, and log once. */
  String refused(String key, String theirGenesis) {
    ctx.counters.increment(Rejection.GENESIS_MISMATCH);
    String reason = reason(theirGenesis);
    Peer p = ctx.peer(key);
    if (p != null) {
      p.refused = reason;
      onRefused.accept(p);
    }
    if (!theirGenesis.equals(theirs.put(key, theirGenesis))) {
      LOG.warn("{} op=link.genesis_mismatch peer={} ours={} theirs={}: the two nodes were started from different "
          + "genesis.json files (two chains with one id); refusing its links on every path. Fix the odd one: fetch "
          + "the family's genesis.json (the one every other node uses), move its data_dir aside and start it again",
          ctx.log, KeyIds.shortId(key), prefix(ctx.genesis), prefix(theirGenesis));
    }
    int peers = Math.max(1, ctx.peers.size());
    if (!oddOneSaid && theirs.size() * 2 > peers) {
      oddOneSaid = true;
      LOG.warn("{} op=genesis.mismatch {} of {} peers run another genesis than ours ({}): this node's genesis.json is "
          + "not the family's. It links to nobody and commits nothing until it is fixed: fetch the family's "
          + "genesis.json, move data_dir aside, start again", ctx.log, theirs.size(), ctx.peers.size(),
          prefix(ctx.genesis));
    }
    return reason;
  }

  /** The peer's hello named our genesis after all (it was fixed and restarted). */
  void accepted(Peer p) {
    theirs.remove(p.key);
    p.refused = null;
  }

  static String prefix(String hash) {
    return hash.substring(0, Math.min(PREFIX, hash.length()));
  }
}
