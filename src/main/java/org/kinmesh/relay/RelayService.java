package org.kinmesh.relay;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.kinmesh.crypto.KeyIds;
import org.kinmesh.util.TimeSource;
import org.kinmesh.wire.ErrorCode;
import org.kinmesh.wire.StrictJson;
import org.kinmesh.wire.WireException;
import org.kinmesh.wire.WireRules;
import org.kinmesh.wire.relay.AuthorizeNodeRequest;
import org.kinmesh.wire.relay.LookupSignature;
import org.kinmesh.wire.relay.RegisterBlockchainRequest;
import org.kinmesh.wire.relay.RegisterRequest;
import org.kinmesh.wire.relay.SignedRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's rules (PROTOCOL.md §2), independent of HTTP: each operation checks, in the
 * protocol's order, JSON shape, blockchain known, freshness, signature, authorization, per-key
 * rate and replay, then writes through the store and updates the directory. Failures are
 * {@link WireException}s carrying the protocol error code. Thread-safe.
 */
public final class RelayService {
  private static final Logger LOG = LoggerFactory.getLogger(RelayService.class);

  private final RelayConfig config;
  private final RelayStore store;
  private final RelayDirectory directory;
  private final SessionTokens tokens;
  private final RateLimiter keyLimiter;
  private final TimeSource clock;

  public RelayService(RelayConfig config, RelayStore store, RelayDirectory directory, SessionTokens tokens,
      RateLimiter keyLimiter, TimeSource clock) {
    this.config = config;
    this.store = store;
    this.directory = directory;
    this.tokens = tokens;
    this.keyLimiter = keyLimiter;
    this.clock = clock;
  }

  /** Where a request came from, as the relay sees it (after trusted-proxy resolution). */
  public record Source(String ip, int port) {}

  /** Authentication presented with a lookup: a token, or the three signed headers (any may be null). */
  public record LookupAuth(String bearerToken, String requester, String timestamp, String signature) {}

  /** The answer to register_blockchain: created (201) or updated (200). */
  public record RegisterBlockchainResult(boolean created, JsonObject body) {}

  /** The relay's clock (its Date header). */
  public long nowMillis() {
    return clock.nowMillis();
  }

  public Future<JsonObject> register(byte[] body, Source source) {
    try {
      RegisterRequest req = RegisterRequest.parse(StrictJson.parse(body));
      long now = clock.nowSeconds();
      RelayDirectory.Chain chain = requireChain(req.blockchainId());
      checkFreshAndSigned(req, now);
      if (!chain.isAuthorized(req.publicKey())) {
        throw new WireException(ErrorCode.UNAUTHORIZED, "key is not authorized for blockchain '" + req.blockchainId() + "'");
      }
      checkKeyRate(req.blockchainId(), req.publicKey());
      return store.register(req.blockchainId(), req.publicKey(), req.ip(), req.port(), req.timestamp(),
              req.signature(), now, () -> chain.isAuthorized(req.publicKey()))
          .map(v -> {
            directory.putLive(req.blockchainId(), req.publicKey(), new RelayDirectory.LiveEntry(req.ip(), req.port(), now));
            long expires = now + config.tokenTtlSecs();
            LOG.debug("op=register bc={} key={} ok", req.blockchainId(), KeyIds.shortId(req.publicKey()));
            return new JsonObject().put("status", "ok").put("ttl", config.ttlSecs())
                .put("observed_ip", source.ip()).put("observed_port", source.port())
                .put("token", tokens.issue(req.blockchainId(), req.publicKey(), expires))
                .put("token_expires", expires);
          });
    } catch (WireException e) {
      return Future.failedFuture(e);
    }
  }

  public Future<JsonObject> lookup(String blockchainId, String target, LookupAuth auth) {
    try {
      if (!WireRules.isBlockchainId(blockchainId)) {
        throw WireException.malformed("blockchain id must be 1-64 characters of [A-Za-z0-9._-]");
      }
      if (!WireRules.isPublicKeyHex(target)) {
        throw WireException.malformed("public key must be 64 lowercase hex characters");
      }
      long now = clock.nowSeconds();
      RelayDirectory.Chain chain = requireChain(blockchainId);
      String requester = authenticateLookup(blockchainId, target, auth, chain, now);
      checkKeyRate(blockchainId, requester);
      RelayDirectory.LiveEntry entry = directory.lookup(blockchainId, target, now, config.ttlSecs());
      if (entry == null) {
        throw new WireException(ErrorCode.NOT_FOUND, "no live entry for that key");
      }
      return Future.succeededFuture(new JsonObject().put("blockchain_id", blockchainId).put("public_key", target)
          .put("ip", entry.ip()).put("port", entry.port()).put("last_seen", entry.lastSeen()));
    } catch (WireException e) {
      return Future.failedFuture(e);
    }
  }

  /** Returns the requester key once its token or signature checks out. */
  private String authenticateLookup(String blockchainId, String target, LookupAuth auth, RelayDirectory.Chain chain,
      long now) throws WireException {
    if (auth.bearerToken() != null) {
      SessionTokens.Claims claims = tokens.verify(auth.bearerToken());
      if (claims == null || !claims.blockchainId().equals(blockchainId)) {
        throw new WireException(ErrorCode.INVALID_SIGNATURE, "bad token, or a token for another blockchain");
      }
      if (claims.expiresAt() <= now) {
        throw new WireException(ErrorCode.INVALID_SIGNATURE, "token expired; register again for a new one");
      }
      if (!chain.isAuthorized(claims.publicKey())) {
        throw new WireException(ErrorCode.UNAUTHORIZED, "the token's key is no longer authorized");
      }
      return claims.publicKey();
    }
    if (auth.requester() == null || auth.timestamp() == null || auth.signature() == null) {
      throw new WireException(ErrorCode.INVALID_SIGNATURE,
          "lookup needs a Bearer token or all of X-Kinmesh-Requester, X-Kinmesh-Timestamp, X-Kinmesh-Signature");
    }
    if (!WireRules.isPublicKeyHex(auth.requester())) {
      throw WireException.malformed("X-Kinmesh-Requester must be 64 lowercase hex characters");
    }
    if (!WireRules.isSignatureHex(auth.signature())) {
      throw WireException.malformed("X-Kinmesh-Signature must be 128 lowercase hex characters");
    }
    long ts = parseTimestamp(auth.timestamp());
    LookupSignature sig = new LookupSignature(blockchainId, target, auth.requester(), ts, auth.signature());
    checkFreshAndSigned(sig, now);
    if (!chain.isAuthorized(auth.requester())) {
      throw new WireException(ErrorCode.UNAUTHORIZED, "requester is not authorized for blockchain '" + blockchainId + "'");
    }
    return auth.requester();
  }

  public Future<RegisterBlockchainResult> registerBlockchain(byte[] body) {
    try {
      RegisterBlockchainRequest req = RegisterBlockchainRequest.parse(StrictJson.parse(body));
      long now = clock.nowSeconds();
      checkFreshAndSigned(req, now);
      RelayDirectory.Chain existing = directory.chain(req.blockchainId());
      boolean operator = config.adminPubkeys().contains(req.adminPubkey());
      if (existing == null && !operator && !config.openRegistration()) {
        throw new WireException(ErrorCode.UNAUTHORIZED, "admin key is not an operator key of this relay");
      }
      checkKeyRate(req.blockchainId(), req.adminPubkey());
      return store.registerBlockchain(req.blockchainId(), req.genesisHash(), req.adminPubkey(),
              operator || config.openRegistration(), req.authorizedPubkeys(), req.timestamp(), now)
          .map(outcome -> {
            directory.putChain(req.blockchainId(), req.genesisHash(), req.adminPubkey(), now);
            directory.authorize(req.blockchainId(), req.authorizedPubkeys());
            boolean created = outcome == RelayStore.RegisterOutcome.CREATED;
            LOG.info("op=register_blockchain bc={} admin={} created={} keys_added={}", req.blockchainId(),
                KeyIds.shortId(req.adminPubkey()), created, req.authorizedPubkeys().size());
            return new RegisterBlockchainResult(created, new JsonObject().put("status", "ok")
                .put("blockchain_id", req.blockchainId()).put("created", created));
          });
    } catch (WireException e) {
      return Future.failedFuture(e);
    }
  }

  public Future<JsonObject> authorizeNode(byte[] body) {
    try {
      AuthorizeNodeRequest req = AuthorizeNodeRequest.parse(StrictJson.parse(body));
      long now = clock.nowSeconds();
      RelayDirectory.Chain chain = requireChain(req.blockchainId());
      checkFreshAndSigned(req, now);
      if (!chain.adminPubkey().equals(req.adminPubkey())) {
        throw new WireException(ErrorCode.UNAUTHORIZED, "only the blockchain's admin may authorize nodes");
      }
      checkKeyRate(req.blockchainId(), req.adminPubkey());
      boolean add = req.action() == AuthorizeNodeRequest.Action.ADD;
      return store.authorizeNode(req.blockchainId(), req.publicKey(), add, req.adminPubkey(), req.timestamp(), now)
          .map(v -> {
            if (add) {
              directory.authorize(req.blockchainId(), List.of(req.publicKey()));
              directory.undeny(req.blockchainId(), req.publicKey());
            } else {
              directory.deauthorize(req.blockchainId(), req.publicKey());
            }
            LOG.info("op=authorize_node bc={} key={} action={}", req.blockchainId(), KeyIds.shortId(req.publicKey()),
                req.action().wire());
            return new JsonObject().put("status", "ok");
          });
    } catch (WireException e) {
      return Future.failedFuture(e);
    }
  }

  /** Follow requests run one after another: each builds on the head the previous one stored. */
  private Future<?> followQueue = Future.succeededFuture();

  /**
   * POST /follow/{id} (docs/relay.md): verifies the blocks in order against the head the relay
   * holds (block 0 against the registered genesis_hash), stores them with the chain's keys, and
   * only then applies the new set. Blocks the relay already has are skipped when they match.
   */
  public Future<JsonObject> follow(String blockchainId, byte[] body) {
    synchronized (this) {
      Future<JsonObject> f = followQueue.transform(ar -> followNow(blockchainId, body));
      followQueue = f;
      return f;
    }
  }

  private Future<JsonObject> followNow(String blockchainId, byte[] body) {
    try {
      if (!WireRules.isBlockchainId(blockchainId)) {
        throw WireException.malformed("blockchain id must be 1-64 characters of [A-Za-z0-9._-]");
      }
      RelayDirectory.Chain chain = requireChain(blockchainId);
      List<org.kinmesh.chain.FollowedBlock> blocks = ChainFollow.parseBody(body);
      org.kinmesh.chain.GovernanceState head = chain.followed();
      List<org.kinmesh.chain.FollowedBlock> fresh = new ArrayList<>();
      for (org.kinmesh.chain.FollowedBlock b : blocks) {
        if (head != null && b.blockchainId().equals(blockchainId) && b.height() <= head.height()) {
          continue; // another node brought the relay this far already
        }
        head = head == null ? ChainFollow.start(blockchainId, chain.genesisHash(), b) : ChainFollow.next(head, b);
        fresh.add(b);
      }
      if (fresh.isEmpty()) {
        return Future.succeededFuture(followAnswer(blockchainId, chain.followed(), 0));
      }
      org.kinmesh.chain.GovernanceState next = head;
      return store.follow(blockchainId, fresh, ChainFollow.keys(next)).map(v -> {
        List<String> lost = directory.follow(blockchainId, next);
        LOG.info("op=follow bc={} height={} blocks={} keys_active={} keys_cut_off={}", blockchainId, next.height(),
            fresh.size(), ChainFollow.keys(next).values().stream().filter(a -> a).count(), lost.size());
        return followAnswer(blockchainId, next, fresh.size());
      });
    } catch (WireException e) {
      return Future.failedFuture(e);
    }
  }

  /** GET /follow/{id}: where the relay stands, so a node knows which blocks to send. */
  public Future<JsonObject> followState(String blockchainId) {
    try {
      if (!WireRules.isBlockchainId(blockchainId)) {
        throw WireException.malformed("blockchain id must be 1-64 characters of [A-Za-z0-9._-]");
      }
      RelayDirectory.Chain chain = requireChain(blockchainId);
      return Future.succeededFuture(followAnswer(blockchainId, chain.followed(), 0));
    } catch (WireException e) {
      return Future.failedFuture(e);
    }
  }

  private static JsonObject followAnswer(String blockchainId, org.kinmesh.chain.GovernanceState head, int applied) {
    JsonObject o = new JsonObject().put("status", "ok").put("blockchain_id", blockchainId)
        .put("height", head == null ? -1 : head.height()).put("applied", applied);
    if (head != null) {
      o.put("head_hash", head.headHash()).put("active_keys",
          ChainFollow.keys(head).values().stream().filter(a -> a).count());
    }
    return o;
  }

  /** The store, for tests and operator tooling in this package. */
  RelayStore store() {
    return store;
  }

  /** Applies the configured trusted snapshots at start-up. */
  public Future<Void> bootstrap() {
    Future<Void> chain = Future.succeededFuture();
    long now = clock.nowSeconds();
    for (RelayConfig.BootstrapEntry e : config.bootstrap()) {
      chain = chain.compose(v -> store.bootstrap(e, now)).map(v -> {
        directory.putChain(e.blockchainId(), e.genesisHash(), e.adminPubkey(), now);
        directory.authorize(e.blockchainId(), new ArrayList<>(e.authorizedPubkeys()));
        LOG.info("op=bootstrap bc={} keys={}", e.blockchainId(), e.authorizedPubkeys().size());
        return null;
      });
    }
    return chain;
  }

  /** Deletes entries older than the TTL from the database and the directory. */
  public Future<Integer> sweep() {
    long cutoff = clock.nowSeconds() - config.ttlSecs();
    return store.evictOlderThan(cutoff).map(n -> {
      directory.evictOlderThan(cutoff);
      return n;
    });
  }

  private RelayDirectory.Chain requireChain(String blockchainId) throws WireException {
    RelayDirectory.Chain chain = directory.chain(blockchainId);
    if (chain == null) {
      throw new WireException(ErrorCode.UNKNOWN_BLOCKCHAIN, "blockchain '" + blockchainId + "' is not registered");
    }
    return chain;
  }

  private void checkFreshAndSigned(SignedRequest req, long now) throws WireException {
    if (Math.abs(now - req.timestamp()) > config.freshnessSecs()) {
      throw new WireException(ErrorCode.STALE_TIMESTAMP, "timestamp is more than " + config.freshnessSecs()
          + " s from the relay's clock");
    }
    if (!req.signatureValid()) {
      throw new WireException(ErrorCode.INVALID_SIGNATURE, "signature does not verify");
    }
  }

  private void checkKeyRate(String blockchainId, String key) throws WireException {
    RateLimiter.Decision d = keyLimiter.tryAcquire(blockchainId + "/" + key);
    if (!d.allowed()) {
      throw new WireException(ErrorCode.RATE_LIMITED, "too many requests from this key", d.retryAfterSecs());
    }
  }

  private static long parseTimestamp(String text) throws WireException {
    if (text.isEmpty() || text.length() > 16 || !text.chars().allMatch(c -> c >= '0' && c <= '9')
        || (text.length() > 1 && text.charAt(0) == '0')) {
      throw WireException.malformed("X-Kinmesh-Timestamp must be base-10 Unix seconds");
    }
    long ts = Long.parseLong(text);
    if (!WireRules.isTimestamp(ts)) {
      throw WireException.malformed("X-Kinmesh-Timestamp out of range");
    }
    return ts;
  }
}
