package org.kinmesh.node.api;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.function.Predicate;
import org.kinmesh.chain.AuditEntry;
import org.kinmesh.chain.GovernanceState;
import org.kinmesh.chain.Member;
import org.kinmesh.chain.NodeRecord;
import org.kinmesh.chain.Payload;
import org.kinmesh.chain.Proposal;
import org.kinmesh.chain.Transaction;
import org.kinmesh.chain.TransactionIntake;
import org.kinmesh.chain.TxType;
import org.kinmesh.net.BoundedBody;
import org.kinmesh.wire.WireException;
import org.kinmesh.wire.WireRules;

/**
 * The node's governance admin API (docs/admin-api.md). Reads answer from the committed state;
 * writes take a transaction signed by a guardian, check that it is the kind the route names
 * (and about the key or proposal in the path), and queue it: the state changes only when its
 * block commits, so every node agrees. Served on loopback only unless configured otherwise.
 */
public final class AdminRoutes {
  private static final String JSON = "application/json";
  /** A signed transaction is small; the largest admin one is far below this. */
  static final int MAX_BODY_BYTES = 64 * 1024;

  private final AdminBackend backend;
  private final boolean allowRemote;

  public AdminRoutes(AdminBackend backend, boolean allowRemote) {
    this.backend = backend;
    this.allowRemote = allowRemote;
  }

  /** A router to mount at /admin. */
  public Router router(Vertx vertx) {
    Router r = Router.router(vertx);
    r.route().handler(this::loopbackOnly);
    r.route().handler(new BoundedBody(MAX_BODY_BYTES,
        ctx -> error(ctx, 413, "too_large", "body over " + MAX_BODY_BYTES + " bytes")));
    r.get("/family/members").handler(ctx -> reply(ctx, backend.state().map(AdminRoutes::members)));
    r.post("/family/members").handler(ctx -> submit(ctx, TxType.FAMILY_MEMBER_ADD, tx -> true));
    r.delete("/family/members").handler(ctx -> submit(ctx, TxType.FAMILY_MEMBER_REMOVE, tx -> true));
    r.get("/nodes/status").handler(ctx -> reply(ctx, backend.state().map(AdminRoutes::nodes)));
    r.post("/nodes/:pubkey/deauthorize").handler(ctx -> submit(ctx, TxType.NODE_DEAUTHORIZATION,
        tx -> ((Payload.NodeDeauthorization) tx.payload()).targetPubkey().equals(ctx.pathParam("pubkey"))));
    r.post("/nodes/:pubkey/reactivate").handler(ctx -> submit(ctx, TxType.NODE_REACTIVATION,
        tx -> ((Payload.NodeReactivation) tx.payload()).targetPubkey().equals(ctx.pathParam("pubkey"))));
    r.post("/nodes/register").handler(ctx -> submit(ctx, TxType.NODE_REGISTRATION, tx -> true));
    r.post("/approvals/:resource_id").handler(ctx -> submit(ctx, TxType.APPROVAL,
        tx -> ((Payload.Approval) tx.payload()).resourceId().equals(ctx.pathParam("resource_id"))));
    r.get("/proposals").handler(ctx -> reply(ctx, backend.state().map(AdminRoutes::proposals)));
    r.get("/audit").handler(this::audit);
    r.route().last().handler(ctx -> error(ctx, 404, "not_found", "no such admin path"));
    r.errorHandler(405, ctx -> error(ctx, 404, "not_found", "no such admin path"));
    r.errorHandler(500, ctx -> error(ctx, 500, "internal", "internal error"));
    return r;
  }

  private void loopbackOnly(RoutingContext ctx) {
    String ip = ctx.request().remoteAddress().hostAddress();
    if (allowRemote || isLoopback(ip)) {
      ctx.next();
    } else {
      error(ctx, 403, "forbidden", "the admin API answers loopback only (set admin_allow_remote to change it)");
    }
  }

  static boolean isLoopback(String ip) {
    String canonical = WireRules.canonicalIp(ip);
    return canonical.startsWith("127.") || canonical.equals("::1");
  }

  private void submit(RoutingContext ctx, TxType expected, Predicate<Transaction> aboutThePath) {
    Transaction tx;
    try {
      tx = Transaction.parse(BoundedBody.bytes(ctx));
    } catch (WireException e) {
      error(ctx, 400, "malformed", e.getMessage());
      return;
    }
    if (tx.type() != expected) {
      error(ctx, 400, "malformed", "this route takes a " + expected.wire() + " transaction, not " + tx.type().wire());
      return;
    }
    if (!aboutThePath.test(tx)) {
      error(ctx, 400, "malformed", "the transaction is about another key or proposal than the path names");
      return;
    }
    backend.submit(tx).onComplete(ar -> {
      if (ar.failed()) {
        error(ctx, 500, "internal", "internal error");
        return;
      }
      TransactionIntake.Outcome o = ar.result();
      switch (o.kind()) {
        case QUEUED -> ctx.response().setStatusCode(202).putHeader("content-type", JSON).end(new JsonObject()
            .put("hash", o.hash()).put("status", "pending").put("validation", code(o))
            .put("message", o.result().message()).encode());
        case INVALID -> error(ctx, 400, code(o), o.result().message());
        case MEMPOOL_FULL -> error(ctx, 503, "limit_reached", o.result().message());
      }
    });
  }

  private static String code(TransactionIntake.Outcome o) {
    return o.result().code().name().toLowerCase(Locale.ROOT);
  }

  private void audit(RoutingContext ctx) {
    String target = ctx.queryParams().get("target");
    if (target != null && !WireRules.isPublicKeyHex(target) && !WireRules.isSha256Hex(target)) {
      error(ctx, 400, "malformed", "target must be a 64-character lowercase hex key or resource id");
      return;
    }
    reply(ctx, backend.audit(target).map(entries -> {
      JsonArray out = new JsonArray();
      for (AuditEntry e : entries) {
        out.add(new JsonObject().put("height", e.height()).put("seq", e.seq()).put("timestamp", e.timestamp())
            .put("tx_hash", e.txHash()).put("actor", e.actor()).put("action", e.action()).put("target", e.target())
            .put("reason", e.reason()));
      }
      return new JsonObject().put("entries", out);
    }));
  }

  private static JsonObject members(GovernanceState s) {
    JsonArray out = new JsonArray();
    for (Member m : s.members().values()) {
      out.add(new JsonObject().put("pubkey", m.pubkey()).put("display_name", m.displayName())
          .put("role", m.role().wire()).put("added_at", m.addedAt()));
    }
    return new JsonObject().put("height", s.height()).put("members", out);
  }

  private static JsonObject nodes(GovernanceState s) {
    JsonArray out = new JsonArray();
    for (NodeRecord n : s.nodes().values()) {
      out.add(new JsonObject().put("pubkey", n.pubkey()).put("node_id", n.nodeId())
          .put("is_consensus_node", n.consensusNode()).put("status", n.status().wire())
          .put("registered_at", n.registeredAt()).put("last_seen", n.lastSeen())
          .put("suspended_until", n.suspendedUntil()).put("pending_resource", n.pendingResource()));
    }
    return new JsonObject().put("blockchain_id", s.params().blockchainId()).put("height", s.height())
        .put("active_consensus_nodes", s.activeConsensusCount()).put("nodes", out);
  }

  private static JsonObject proposals(GovernanceState s) {
    JsonArray out = new JsonArray();
    for (Proposal p : s.proposals().values()) {
      out.add(new JsonObject().put("resource_id", p.resourceId()).put("type", p.tx().type().wire())
          .put("proposer", p.tx().sender()).put("created_at", p.createdAt()).put("expires_at", p.expiresAt())
          .put("approvers", new JsonArray(new java.util.ArrayList<Object>(p.approvers())))
          .put("needed", s.approvalThreshold()).put("timelock", p.timelock()));
    }
    return new JsonObject().put("height", s.height()).put("proposals", out);
  }

  private static void reply(RoutingContext ctx, Future<JsonObject> body) {
    body.onComplete(ar -> {
      if (ar.succeeded()) {
        ctx.response().putHeader("content-type", JSON).end(ar.result().encode());
      } else {
        error(ctx, 500, "internal", "internal error");
      }
    });
  }

  /** An error answer; one sent before the body was read (413, 403) closes the connection. */
  private static void error(RoutingContext ctx, int status, String code, String message) {
    if (!ctx.response().ended()) {
      org.kinmesh.net.HttpErrors.endRefusal(ctx.request(), ctx.response().setStatusCode(status)
          .putHeader("content-type", JSON), new JsonObject().put("error", code).put("message", message).encode());
    }
  }
}
