package org.kinmesh.relay.client;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;
import java.util.List;
import org.kinmesh.crypto.Identity;
import org.kinmesh.util.TimeSource;
import org.kinmesh.wire.relay.AuthorizeNodeRequest;
import org.kinmesh.wire.relay.LookupSignature;
import org.kinmesh.wire.relay.RegisterBlockchainRequest;
import org.kinmesh.wire.relay.RegisterRequest;

/**
 * The node and operator side of PROTOCOL.md §2: builds and signs each request and returns the
 * relay's answer as it came. One attempt per call; retry policy belongs to the caller.
 */
public final class RelayHttpClient implements AutoCloseable {
  private final WebClient client;
  private final URI base;
  private final TimeSource clock;

  public RelayHttpClient(Vertx vertx, String relayUrl, TimeSource clock) {
    this.base = parseBase(relayUrl);
    this.clock = clock;
    boolean tls = "https".equals(base.getScheme());
    this.client = WebClient.create(vertx, new WebClientOptions()
        .setSsl(tls)
        .setConnectTimeout(10_000)
        .setIdleTimeout(30)
        .setUserAgent("kinmesh"));
  }

  /** Checks that the URL is http(s)://host[:port] with nothing else, with a clear message. */
  public static URI parseBase(String relayUrl) {
    URI uri;
    try {
      uri = URI.create(relayUrl.endsWith("/") ? relayUrl.substring(0, relayUrl.length() - 1) : relayUrl);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("relay URL '" + relayUrl + "' is not a URL");
    }
    if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
      throw new IllegalArgumentException("relay URL must look like http://host:port or https://host (got '" + relayUrl + "')");
    }
    return uri;
  }

  private int port() {
    return base.getPort() > 0 ? base.getPort() : ("https".equals(base.getScheme()) ? 443 : 80);
  }

  private String host() {
    String h = base.getHost();
    return h.startsWith("[") ? h.substring(1, h.length() - 1) : h;
  }

  private String path(String p) {
    String prefix = base.getPath() == null ? "" : base.getPath();
    return prefix + p;
  }

  public Future<RelayAnswer> register(Identity id, String blockchainId, String ip, int port) {
    RegisterRequest req = RegisterRequest.sign(id, blockchainId, ip, port, clock.nowSeconds());
    return send(client.post(port(), host(), path("/register")), req.toJson());
  }

  /** Lookup authenticated by a session token from an earlier register. */
  public Future<RelayAnswer> lookupWithToken(String token, String blockchainId, String targetKey) {
    HttpRequest<Buffer> r = client.get(port(), host(), path("/lookup/" + blockchainId + "/" + targetKey))
        .putHeader("Authorization", "Bearer " + token);
    return send(r, null);
  }

  /** Lookup authenticated by the three signed headers. */
  public Future<RelayAnswer> lookupSigned(Identity requester, String blockchainId, String targetKey) {
    LookupSignature sig = LookupSignature.sign(requester, blockchainId, targetKey, clock.nowSeconds());
    HttpRequest<Buffer> r = client.get(port(), host(), path("/lookup/" + blockchainId + "/" + targetKey))
        .putHeader(LookupSignature.HEADER_REQUESTER, sig.requesterKey())
        .putHeader(LookupSignature.HEADER_TIMESTAMP, Long.toString(sig.timestamp()))
        .putHeader(LookupSignature.HEADER_SIGNATURE, sig.signature());
    return send(r, null);
  }

  public Future<RelayAnswer> registerBlockchain(Identity admin, String blockchainId, String genesisHash,
      List<String> authorizedKeys) {
    RegisterBlockchainRequest req = RegisterBlockchainRequest.sign(admin, blockchainId, genesisHash, clock.nowSeconds(),
        authorizedKeys);
    return send(client.post(port(), host(), path("/admin/register_blockchain")), req.toJson());
  }

  public Future<RelayAnswer> authorizeNode(Identity admin, String blockchainId, String publicKey,
      AuthorizeNodeRequest.Action action) {
    AuthorizeNodeRequest req = AuthorizeNodeRequest.sign(admin, blockchainId, publicKey, action, clock.nowSeconds());
    return send(client.post(port(), host(), path("/admin/authorize_node")), req.toJson());
  }

  /** Where the relay follows a chain: {"height", "head_hash"?}, height -1 before its genesis. */
  public Future<RelayAnswer> followState(String blockchainId) {
    return send(client.get(port(), host(), path("/follow/" + blockchainId)), null);
  }

  /**
   * Hands the relay committed blocks, in height order, each with its commit certificate and its DATA
   * transactions reduced to their hashes: a family's data never reaches the relay.
   */
  public Future<RelayAnswer> follow(String blockchainId, List<org.kinmesh.chain.Block> blocks) {
    Buffer body = Buffer.buffer().appendString("{\"blocks\":[");
    for (int i = 0; i < blocks.size(); i++) {
      if (i > 0) {
        body.appendString(",");
      }
      body.appendBytes(org.kinmesh.chain.FollowedBlock.of(blocks.get(i)).toJsonBytes());
    }
    body.appendString("]}");
    HttpRequest<Buffer> r = client.post(port(), host(), path("/follow/" + blockchainId))
        .putHeader("content-type", "application/json").timeout(30_000);
    long sentMs = clock.nowMillis();
    return r.sendBuffer(body).map(resp -> {
      noteDate(resp.getHeader("Date"), sentMs);
      return toAnswer(resp);
    });
  }

  public Future<RelayAnswer> health() {
    return send(client.get(port(), host(), path("/health")), null);
  }

  private Future<RelayAnswer> send(HttpRequest<Buffer> request, JsonObject body) {
    request.timeout(10_000);
    long sentMs = clock.nowMillis();
    Future<HttpResponse<Buffer>> f = body == null ? request.send() : request.sendJsonObject(body);
    return f.map(resp -> {
      noteDate(resp.getHeader("Date"), sentMs);
      return toAnswer(resp);
    });
  }

  private volatile Long relayOffsetMs;

  /**
   * Our clock minus the relay's, from the Date header of its last answer (null before one came).
   * Date has whole seconds: the offset is good to about a second plus the round trip.
   */
  public Long relayClockOffsetMs() {
    return relayOffsetMs;
  }

  private void noteDate(String date, long sentMs) {
    if (date == null) {
      return;
    }
    try {
      long relayMs = java.time.ZonedDateTime.parse(date, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME)
          .toInstant().toEpochMilli();
      // The relay stamped its answer somewhere in the round trip: compare with its middle, to the second.
      long middle = sentMs + (clock.nowMillis() - sentMs) / 2;
      relayOffsetMs = middle - relayMs - 500;
    } catch (java.time.format.DateTimeParseException e) {
      // not a date we can read: no sample
    }
  }

  private static RelayAnswer toAnswer(HttpResponse<Buffer> resp) {
    JsonObject json;
    try {
      Buffer b = resp.body();
      json = b == null || b.length() == 0 ? new JsonObject() : new JsonObject(b);
    } catch (DecodeException | ClassCastException e) {
      json = new JsonObject().put("error", "bad_answer").put("message", "relay answered non-JSON");
    }
    return new RelayAnswer(resp.statusCode(), json);
  }

  @Override
  public void close() {
    client.close();
  }
}
