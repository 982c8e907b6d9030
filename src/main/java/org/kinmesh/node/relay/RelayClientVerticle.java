package org.kinmesh.node.relay;

import org.kinmesh.stun.StunView;
import org.kinmesh.node.NodeAddresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.kinmesh.crypto.Identity;
import org.kinmesh.crypto.KeyIds;
import org.kinmesh.relay.client.RelayAnswer;
import org.kinmesh.relay.client.RelayHttpClient;
import org.kinmesh.util.Jitter;
import org.kinmesh.util.TimeSource;
import org.kinmesh.wire.WireRules;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's relay client: registers at start and every interval ± 10%, keeps the session
 * token, answers {@link RelayClientAddresses#lookup} and publishes {@link RelayClientAddresses#state}.
 * Start never waits for the relay: a relay that is down is retried in the background and the
 * node registers as soon as it returns.
 */
public final class RelayClientVerticle extends VerticleBase {
  /** This node's event-bus addresses (docs/architecture.md); {@link #scoped} sets them before deployment. */
  private NodeAddresses addresses = NodeAddresses.DEFAULT;

  /** Uses the addresses of the node it belongs to (default: namespace kinmesh); call before deploying. */
  public RelayClientVerticle scoped(NodeAddresses addresses) {
    this.addresses = addresses;
    return this;
  }

  private static final Logger LOG = LoggerFactory.getLogger(RelayClientVerticle.class);
  private static final double JITTER = 0.1;
  /** The Stun verticle answers from memory; a slow answer means there is none. */
  private static final long STUN_QUERY_TIMEOUT_MS = 1_000;
  /** How long the first registration waits for a STUN probe in progress (most end within 0.8 s). */
  static final long FIRST_PROBE_WAIT_MS = 2_000;

  private final RelayClientSettings settings;
  private final Identity identity;
  private final TimeSource clock;
  private final String log;
  private RelayHttpClient http;
  private RegisterSchedule schedule;
  private MessageConsumer<Object> lookups;
  private long timer = -1;
  private boolean stopping;
  private Future<Boolean> registering;
  /** HTTP status of the last registration try (0 = network error); the schedule reads it. */
  private int lastStatus;
  private String token;
  private long tokenExpires;
  private boolean registered;
  private boolean inOutage;
  private volatile int registrations;
  private volatile int outages;
  /** The endpoint we register: the configured one, or the public endpoint STUN found. */
  private String publishIp;
  private int publishPort;
  private MessageConsumer<StunView> stunState;
  private boolean firstRoundStarted;
  /** The timestamp (seconds) of the last registration sent. */
  private long lastSentSecs = -1;
  /** Hands the relay our committed blocks, so it follows the chain's authorized set. */
  private RelayFollowFeed follow;
  private MessageConsumer<Object> commits;
  private long followTimer = -1;
  /** How often the relay is brought up to our height when nothing changed the authorized set. */
  static final long FOLLOW_INTERVAL_MS = 30_000;

  public RelayClientVerticle(RelayClientSettings settings, Identity identity, TimeSource clock) {
    this.settings = settings;
    this.identity = identity;
    this.clock = clock;
    this.log = "node=" + identity.shortId();
    this.publishIp = settings.publishIp();
    this.publishPort = settings.publishPort();
  }

  /** Successful registrations so far (tests and status). */
  public int registrations() {
    return registrations;
  }

  /** Outages seen so far: each is logged once, however many retries it takes. */
  public int outages() {
    return outages;
  }

  @Override
  public Future<?> start() {
    org.kinmesh.bus.LocalCodec.register(vertx, StunView.class);
    http = new RelayHttpClient(vertx, settings.relayUrl(), clock);
    schedule = new RegisterSchedule(settings.registerIntervalMillis(), settings.registerBackoff());
    lookups = vertx.eventBus().localConsumer(addresses.relayClient().lookup(), this::onLookup);
    stunState = vertx.eventBus().<StunView>localConsumer(addresses.stun().state(), m -> onStunState(m.body()));
    follow = new RelayFollowFeed(vertx, addresses.ledger(), http, settings.blockchainId(), log,
        this::relayFollowedFurther);
    commits = vertx.eventBus().localConsumer(addresses.api().chainCommitted(), m -> follow.committed());
    followRound();
    return Future.all(lookups.completion(), stunState.completion(), commits.completion()).onSuccess(v -> lastStunState()
        .onComplete(ar -> registerRound()));
  }

  /**
   * The Stun verticle starts first and an open or cone NAT classifies in a few hundred ms, so its
   * STUN_STATE may be out before we subscribe: ask for its last result, so the first registration
   * already carries the public endpoint (otherwise the relay hands out 127.0.0.1 until the next
   * STUN refresh, minutes later, and peers dial and punch themselves). No Stun verticle: no answer.
   */
  private Future<Void> lastStunState() {
    if (!settings.followStun()) {
      return Future.succeededFuture();
    }
    return vertx.eventBus().<StunView>request(addresses.stun().stateQuery(), null,
        new DeliveryOptions().setSendTimeout(STUN_QUERY_TIMEOUT_MS)).compose(m -> {
          if (m.body() != null && m.body().publicEndpoint().isPresent()) {
            adopt(m.body());
            return Future.<Void>succeededFuture();
          }
          // No result yet: the start-up probe is most likely still running (a node with no STUN
          // servers answers at once). Join it, for a bounded time, rather than publish the listen
          // address and correct it a second later; a probe that takes longer is adopted when it ends.
          return vertx.eventBus().<StunView>request(addresses.stun().refresh(), null,
              new DeliveryOptions().setSendTimeout(FIRST_PROBE_WAIT_MS)).onSuccess(r -> adopt(r.body()))
              .<Void>mapEmpty();
        }).otherwiseEmpty();
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    if (followTimer >= 0) {
      vertx.cancelTimer(followTimer);
    }
    http.close();
    return Future.join(lookups.unregister(), stunState.unregister(), commits.unregister());
  }

  /**
   * With no advertise_endpoints configured, the relay should hand out the endpoint peers can
   * reach: the public one STUN found for our UDP socket (the TCP links share its port number).
   * A change re-registers at once.
   */
  private void onStunState(StunView b) {
    // Before the first round, adopting is enough: that round registers the new endpoint.
    if (adopt(b) && firstRoundStarted) {
      registerChanged();
    }
  }

  /**
   * Registers the endpoint that just changed, out of the regular rounds. After a registration
   * still in flight (it carries the old endpoint), and not within the second of the last one:
   * the relay refuses a timestamp (seconds) that is not newer than the last it accepted, and a
   * refused out-of-round registration would leave the old endpoint there until the next round
   * (relay_register_secs, minutes).
   */
  private void registerChanged() {
    if (stopping) {
      return;
    }
    if (registering != null) {
      registering.onComplete(ar -> registerChanged());
      return;
    }
    long wait = (lastSentSecs + 1) * 1000 - clock.nowMillis();
    if (wait > 0) {
      vertx.setTimer(wait, id -> registerChanged());
      return;
    }
    register();
  }

  /** Takes STUN's public endpoint as the one to register; true when it changed. */
  private boolean adopt(StunView b) {
    if (!settings.followStun() || b == null || b.publicEndpoint().isEmpty()) {
      return false;
    }
    String ip = b.publicEndpoint().get().ip();
    int port = b.publicEndpoint().get().port();
    if (ip.equals(publishIp) && port == publishPort) {
      return false;
    }
    LOG.info("{} op=relay.publish endpoint {}:{} -> {}:{} (from STUN)", log, publishIp, publishPort, ip, port);
    publishIp = ip;
    publishPort = port;
    return true;
  }

  /** The relay's followed height at its last answer (-1 not following, -2 not known), for tests and status. */
  public long relayFollowHeight() {
    return follow.relayHeight();
  }

  /**
   * Refused as unauthorized, and the relay has since followed the chain further: it may know our
   * key now, so try again at once instead of at the next round (minutes away). Bounded: each try
   * needs the relay to have moved.
   */
  private void relayFollowedFurther() {
    if (!registered && lastStatus == 403 && firstRoundStarted) {
      registerChanged();
    }
  }

  private void followRound() {
    followTimer = vertx.setTimer(Jitter.around(FOLLOW_INTERVAL_MS, JITTER), id -> {
      if (!stopping) {
        follow.kick();
        followRound();
      }
    });
  }

  // ---- registration loop ----

  private void registerRound() {
    firstRoundStarted = true;
    timer = -1;
    if (stopping) {
      return;
    }
    register().onComplete(ar -> {
      if (stopping) {
        return;
      }
      long delay = Jitter.around(schedule.next(lastStatus), JITTER);
      timer = vertx.setTimer(delay, id -> registerRound());
    });
  }

  /** One registration try; concurrent callers (a lookup whose token expired) share it. */
  private Future<Boolean> register() {
    if (registering != null) {
      return registering;
    }
    lastSentSecs = clock.nowSeconds();
    String sent = publishIp + ":" + publishPort; // publishIp may change before the answer
    Future<Boolean> f = http.register(identity, settings.blockchainId(), publishIp, publishPort)
        .map(answer -> {
          Long offset = http.relayClockOffsetMs();
          if (offset != null) {
            vertx.eventBus().publish(addresses.clock().sample(),
                new JsonObject().put("source", "relay").put("offset_ms", offset));
          }
          return onRegisterAnswer(answer, sent);
        })
        .recover(err -> Future.succeededFuture(onRegisterFailure(0, "network", err.toString())));
    registering = f;
    f.onComplete(ar -> registering = null);
    return f;
  }

  private boolean onRegisterAnswer(RelayAnswer answer, String sent) {
    if (!answer.ok()) {
      return onRegisterFailure(answer.status(), answer.errorCode(), answer.body().getString("message"));
    }
    lastStatus = answer.status();
    JsonObject body = answer.body();
    token = body.getString("token");
    Long expires = body.getLong("token_expires");
    tokenExpires = expires == null ? 0 : expires;
    registrations++;
    if (inOutage) {
      LOG.info("{} op=relay.register relay is back; registered as {}", log, sent);
    } else if (!registered) {
      LOG.info("{} op=relay.register registered as {} observed={}:{}", log, sent,
          body.getString("observed_ip"), body.getInteger("observed_port"));
    }
    if (inOutage || !registered) {
      follow.kick(); // (re)connected: bring the relay up to our height
    }
    inOutage = false;
    registered = true;
    vertx.eventBus().publish(addresses.relayClient().state(), new JsonObject().put("registered", true)
        .put("observed_ip", body.getString("observed_ip")).put("observed_port", body.getInteger("observed_port"))
        .put("token_expires", tokenExpires));
    return true;
  }

  private boolean onRegisterFailure(int status, String code, String message) {
    lastStatus = status;
    if ("unauthorized".equals(code)) {
      follow.kick(); // the relay may lag behind the chain that registered us
    }
    if (!inOutage) {
      // Once per outage, not once per retry: a relay that is down for an hour is one line.
      inOutage = true;
      outages++;
      LOG.warn("{} op=relay.register relay={} status={} error={} message={}; retrying in the background;"
          + " if it lasts, check relay_url and that this node is authorized on the relay", log,
          settings.relayUrl(), status, code, message);
    }
    if (registered) {
      registered = false;
    }
    vertx.eventBus().publish(addresses.relayClient().state(), new JsonObject().put("registered", false)
        .putNull("observed_ip").putNull("observed_port").put("error", code));
    return false;
  }

  // ---- lookups ----

  private void onLookup(Message<Object> msg) {
    String target = msg.body() instanceof JsonObject o && o.getValue("pubkey") instanceof String s ? s : null;
    if (!WireRules.isPublicKeyHex(target)) {
      msg.fail(400, error("malformed", "body must be {\"pubkey\": 64 lowercase hex characters}"));
      return;
    }
    RelayRetry.run(vertx, settings.lookupRetry(), () -> lookupOnce(target)).onComplete(ar -> {
      if (ar.failed()) {
        LOG.debug("{} op=relay.lookup peer={} error=relay_unreachable: {}", log, KeyIds.shortId(target), ar.cause().toString());
        msg.fail(503, error("relay_unreachable", "relay " + settings.relayUrl() + " did not answer: " + ar.cause().getMessage()));
        return;
      }
      RelayAnswer a = ar.result();
      if (a.ok()) {
        msg.reply(new JsonObject().put("pubkey", target).put("ip", a.body().getString("ip"))
            .put("port", a.body().getInteger("port")).put("last_seen", a.body().getLong("last_seen")));
      } else if (a.status() >= 500 || a.status() == 429) {
        msg.fail(503, error("relay_unreachable", "relay answered " + a.status() + " " + a.errorCode()));
      } else {
        LOG.debug("{} op=relay.lookup peer={} status={} error={}", log, KeyIds.shortId(target), a.status(), a.errorCode());
        msg.fail(a.status(), error(a.errorCode() == null ? "relay_error" : a.errorCode(),
            a.body().getString("message", "relay answered " + a.status())));
      }
    });
  }

  /**
   * One lookup try: by session token when we hold one (re-registering first when it has
   * expired by our clock, and once more when the relay says 401), else by signed headers.
   */
  private Future<RelayAnswer> lookupOnce(String target) {
    if (token == null) {
      return http.lookupSigned(identity, settings.blockchainId(), target);
    }
    Future<Boolean> fresh = clock.nowSeconds() < tokenExpires ? Future.succeededFuture(true) : register();
    return fresh.compose(ok -> byToken(target)).compose(answer -> {
      if (answer.status() != 401) {
        return Future.succeededFuture(answer);
      }
      LOG.info("{} op=relay.lookup token refused (expired?); re-registering", log);
      return register().compose(ok -> ok ? byToken(target)
          : http.lookupSigned(identity, settings.blockchainId(), target));
    });
  }

  private Future<RelayAnswer> byToken(String target) {
    return token == null ? http.lookupSigned(identity, settings.blockchainId(), target)
        : http.lookupWithToken(token, settings.blockchainId(), target);
  }

  static String error(String code, String message) {
    return new JsonObject().put("error", code).put("message", message).encode();
  }
}
