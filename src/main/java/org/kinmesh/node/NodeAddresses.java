package org.kinmesh.node;

import org.kinmesh.bus.BusScope;
import org.kinmesh.chain.ChainAddresses;
import org.kinmesh.gossip.GossipAddresses;
import org.kinmesh.node.link.LinkAddresses;
import org.kinmesh.node.relay.RelayClientAddresses;
import org.kinmesh.node.relay.RelayedAddresses;
import org.kinmesh.punch.PunchAddresses;
import org.kinmesh.stun.StunAddresses;
import org.kinmesh.udp.UdpAddresses;

/**
 * Every event-bus address of one node, computed once from its {@link BusScope}. The public API a host
 * uses (docs/embedding.md) is {@code <bus_namespace>.<name>}; the rest is the node's own wiring under
 * {@code <bus_namespace>.internal.}, consumed with local consumers only. Each package defines its own
 * addresses (StunAddresses, GossipAddresses, ...); this class only gathers them for the node's verticles.
 * The table is in docs/architecture.md.
 */
public record NodeAddresses(BusScope scope, Public api, Ledger ledger, Clock clock, LinkAddresses links,
    RelayClientAddresses relayClient, RelayedAddresses relayed, StunAddresses stun, GossipAddresses gossip,
    PunchAddresses punch, ChainAddresses chain, UdpAddresses udp) {

  /** The addresses of a node with the default namespace, {@code kinmesh}. */
  public static final NodeAddresses DEFAULT = of(BusScope.DEFAULT);

  public static NodeAddresses of(BusScope scope) {
    return new NodeAddresses(scope, Public.in(scope), Ledger.in(scope), Clock.in(scope), LinkAddresses.in(scope),
        RelayClientAddresses.in(scope), RelayedAddresses.in(scope), StunAddresses.in(scope), GossipAddresses.in(scope),
        PunchAddresses.in(scope), ChainAddresses.in(scope), UdpAddresses.in(scope));
  }

  /**
   * The public API. chainSubmit (request/reply): a transaction as JSON; reply {"hash"} or a failure whose
   * message is {"error","message"}. chainCommitted (publish): each committed block {"height","hash",
   * "prev_hash","proposer","timestamp","transactions"}. nodeStatus (request/reply): role, view, height,
   * quorum mode, own endpoint and NAT type. peersStatus (request/reply): every authorized peer with path,
   * endpoint, NAT, last seen, score. peersEvents (publish): peer up/down and path changes.
   */
  public record Public(String chainSubmit, String chainCommitted, String nodeStatus, String peersStatus,
      String peersEvents) {
    static Public in(BusScope scope) {
      return new Public(scope.publicAddress("chain.submit"), scope.publicAddress("chain.committed"),
          scope.publicAddress("node.status"), scope.publicAddress("peers.status"),
          scope.publicAddress("peers.events"));
    }
  }

  /**
   * The ledger verticle's addresses (each under the node's internal scope):
   * <br>{@code ledger.state}: request/reply, local: the current GovernanceState object.
   * <br>{@code ledger.block}: request/reply: {"height"} → the block JSON, or failure 404.
   * <br>{@code ledger.candidates}: request/reply: {"max_tx","max_bytes"} → {"transactions": [tx JSON...]} oldest first.
   * <br>{@code ledger.append}: request/reply: a committed Block (local object) → {@link LedgerVerticle.Appended} once applied (the write to SQLite follows in order), or failure 409 if it does not apply.
   * <br>{@code ledger.audit}: request/reply: {"target"?} → {"entries": [...]}.
   * <br>{@code ledger.build}: request/reply, local: {@link LedgerVerticle.BuildRequest} → {@link LedgerVerticle.Built} (the next block from the mempool, or none).
   * <br>{@code ledger.validate}: request/reply, local: {@link LedgerVerticle.ValidateRequest} → {@link LedgerVerticle.Validation} (may wait for missing transactions).
   * <br>{@code ledger.stats}: request/reply: {} → {"mempool", "arriving", "unwritten_blocks", "blocks_waited_for_transactions", "transactions_fetched", "signature_cache": {"size","hits","misses"}}.
   * <br>{@code ledger.storage}: request/reply: {} → {"ok", "reason"?, "message"?, "failing_since_ms"?, "write_failures", "recoveries", "unwritten_blocks", "max_unwritten_blocks", "commits_paused"}: whether the ledger's writes go through (a full disk shows here), and whether the backlog of unwritten blocks holds consensus back.
   * <br>{@code ledger.written}: publish, local: {"unwritten"}: a block written while the backlog was at its bound is on disk now, with how many still wait (consensus resumes below the bound).
   * <br>{@code ledger.parent_state}: request/reply, local: the GovernanceState before the head block (the membership that voted on it).
   * <br>{@code ledger.tx_status}: request/reply: {"hash"} → {"hash", "status": "pending"} | {"hash", "status": "committed", "height", "block"} | {"hash", "status": "rejected", "reason"}; failure 404 for a hash this node does not know, 400 for a bad one.
   * <br>{@code ledger.pending}: publish, local: transactions wait in the mempool ({"pending": n}); an idle primary proposes at once.
   * <p>The authorized set it publishes is the chain's contract ({@link ChainAddresses}), consumed below node/.
   */
  public record Ledger(String state, String block, String candidates, String append, String audit, String build,
      String validate, String stats, String storage, String written, String parentState, String txStatus,
      String pending) {
    static Ledger in(BusScope scope) {
      return new Ledger(scope.internal("ledger.state"), scope.internal("ledger.block"),
          scope.internal("ledger.candidates"), scope.internal("ledger.append"), scope.internal("ledger.audit"),
          scope.internal("ledger.build"), scope.internal("ledger.validate"), scope.internal("ledger.stats"),
          scope.internal("ledger.storage"), scope.internal("ledger.written"), scope.internal("ledger.parent_state"),
          scope.internal("ledger.tx_status"), scope.internal("ledger.pending"));
    }
  }

  /**
   * The clock watch. sample (publish): {"source": a peer's key or "relay", "offset_ms": our clock minus
   * theirs}. status (request/reply): {} → {"clock_offset_ms", "clock_offset_source", "clock_offset_samples"}.
   */
  public record Clock(String sample, String status) {
    static Clock in(BusScope scope) {
      return new Clock(scope.internal("clock.sample"), scope.internal("clock.status"));
    }
  }
}
