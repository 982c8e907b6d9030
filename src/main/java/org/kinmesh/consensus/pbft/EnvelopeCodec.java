package org.kinmesh.consensus.pbft;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.kinmesh.consensus.pbft.Envelope.Block;
import org.kinmesh.consensus.pbft.Envelope.Checkpoint;
import org.kinmesh.consensus.pbft.Envelope.Commit;
import org.kinmesh.consensus.pbft.Envelope.Fetch;
import org.kinmesh.consensus.pbft.Envelope.NewView;
import org.kinmesh.consensus.pbft.Envelope.PrePrepare;
import org.kinmesh.consensus.pbft.Envelope.Prepare;
import org.kinmesh.consensus.pbft.Envelope.ViewChange;
import org.kinmesh.wire.ErrorCode;
import org.kinmesh.wire.FieldReader;
import org.kinmesh.wire.StrictJson;
import org.kinmesh.wire.WireException;
import org.kinmesh.wire.WireRules;

/**
 * The JSON wire form of consensus envelopes (docs/consensus.md) and the edge check: size first,
 * then strict JSON, then blockchain_id, then every signature, nested ones included. The replica
 * only ever sees envelopes that passed here.
 */
public final class EnvelopeCodec {
  /** Most signed items in one list (commits, prepares, view changes): the design's 100 peers, with room. */
  public static final int MAX_ITEMS = 128;

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final String blockchainId;
  private final int maxBytes;

  public EnvelopeCodec(String blockchainId) {
    this(blockchainId, WireRules.MAX_MESSAGE_BYTES);
  }

  public EnvelopeCodec(String blockchainId, int maxBytes) {
    if (!WireRules.isBlockchainId(blockchainId) || maxBytes < 1 || maxBytes > WireRules.MAX_MESSAGE_BYTES) {
      throw new IllegalArgumentException("need a valid blockchain_id and 1 <= max bytes <= 65536");
    }
    this.blockchainId = blockchainId;
    this.maxBytes = maxBytes;
  }

  // --- encoding ------------------------------------------------------------------------------

  public byte[] encode(Envelope e) {
    try {
      byte[] bytes = MAPPER.writeValueAsBytes(toJson(e));
      if (bytes.length > maxBytes) {
        throw new IllegalStateException("envelope of " + bytes.length + " bytes exceeds " + maxBytes);
      }
      return bytes;
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException(ex);
    }
  }

  /** The certificate as the opaque JSON the ledger stores with a block. */
  public static String certificateJson(CommitCertificate cert) {
    return certificateNode(cert).toString();
  }

  static ObjectNode toJson(Envelope e) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("type", type(e));
    o.put("blockchain_id", e.blockchainId());
    o.put("view", e.view());
    o.put("height", e.height());
    if (e instanceof PrePrepare pp) {
      o.put("digest", pp.digest());
      if (pp.payload() != null) {
        o.put("payload", Base64.getEncoder().encodeToString(pp.payload()));
      }
    } else if (e instanceof Prepare p) {
      o.put("digest", p.digest());
    } else if (e instanceof Commit c) {
      o.put("digest", c.digest());
    } else if (e instanceof Checkpoint cp) {
      o.put("digest", cp.digest());
    } else if (e instanceof ViewChange vc) {
      if (vc.committed() != null) {
        o.set("committed", certificateNode(vc.committed()));
      }
      if (vc.prepared() != null) {
        ObjectNode p = o.putObject("prepared");
        p.set("pre_prepare", toJson(vc.prepared().prePrepare()));
        ArrayNode list = p.putArray("prepares");
        vc.prepared().prepares().forEach(x -> list.add(toJson(x)));
      }
      if (vc.preparedPayload() != null) {
        o.put("prepared_payload", Base64.getEncoder().encodeToString(vc.preparedPayload()));
      }
    } else if (e instanceof NewView nv) {
      ArrayNode list = o.putArray("view_changes");
      nv.viewChanges().forEach(x -> list.add(toJson(x)));
      if (nv.reproposal() != null) {
        o.set("reproposal", toJson(nv.reproposal()));
      }
    } else if (e instanceof Fetch f) {
      o.put("to_height", f.toHeight());
    } else if (e instanceof Block b) {
      o.put("digest", b.digest());
      o.put("payload", Base64.getEncoder().encodeToString(b.payload()));
      o.set("certificate", certificateNode(b.certificate()));
    }
    o.put("sender", e.sender());
    o.put("sig", e.signature());
    return o;
  }

  private static ObjectNode certificateNode(CommitCertificate c) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("blockchain_id", c.blockchainId());
    o.put("view", c.view());
    o.put("height", c.height());
    o.put("digest", c.digest());
    ArrayNode list = o.putArray("commits");
    c.commits().forEach(x -> list.add(toJson(x)));
    return o;
  }

  private static String type(Envelope e) {
    if (e instanceof PrePrepare) {
      return "pre_prepare";
    } else if (e instanceof Prepare) {
      return "prepare";
    } else if (e instanceof Commit) {
      return "commit";
    } else if (e instanceof Checkpoint) {
      return "checkpoint";
    } else if (e instanceof ViewChange) {
      return "view_change";
    } else if (e instanceof NewView) {
      return "new_view";
    } else if (e instanceof Fetch) {
      return "fetch";
    }
    return "block";
  }

  // --- decoding ------------------------------------------------------------------------------

  /** Parses and verifies; throws with the reason to count. */
  public Envelope decode(byte[] bytes) throws EnvelopeException {
    Envelope e = parse(bytes);
    verifySignatures(e);
    return e;
  }

  /**
   * Parses without checking any signature: only for deciding to drop a message unread (e.g. a vote
   * for a height already committed); anything acted on goes through {@link #verified(Envelope)}.
   */
  public Envelope parse(byte[] bytes) throws EnvelopeException {
    if (bytes.length > maxBytes) {
      throw new EnvelopeException(RejectReason.TOO_LARGE, "envelope over " + maxBytes + " bytes");
    }
    Envelope e;
    try {
      e = envelope(StrictJson.parse(bytes, maxBytes), null, true);
    } catch (WireException ex) {
      throw new EnvelopeException(ex.code() == ErrorCode.TOO_LARGE ? RejectReason.TOO_LARGE : RejectReason.MALFORMED,
          ex.getMessage());
    }
    return e;
  }

  /** Checks every signature of a parsed envelope (nested ones too); returns it, or throws why not. */
  public Envelope verified(Envelope e) throws EnvelopeException {
    verifySignatures(e);
    return e;
  }

  /** Reads a stored certificate (the ledger's commit_certificate) and checks its signatures. */
  public CommitCertificate decodeCertificate(String json) throws EnvelopeException {
    CommitCertificate c;
    try {
      c = certificate(StrictJson.parse(json.getBytes(StandardCharsets.UTF_8), maxBytes));
    } catch (WireException ex) {
      throw new EnvelopeException(RejectReason.MALFORMED, ex.getMessage());
    }
    for (Commit x : c.commits()) {
      verify(x);
    }
    return c;
  }

  private Envelope envelope(StrictJson j, String expectedType, boolean payloadRequired) throws WireException,
      EnvelopeException {
    FieldReader r = new FieldReader(j);
    String type = r.string("type");
    if (expectedType != null && !expectedType.equals(type)) {
      throw WireException.malformed("expected a " + expectedType + ", got " + type);
    }
    String chain = r.blockchainId("blockchain_id");
    if (!chain.equals(blockchainId)) {
      throw new EnvelopeException(RejectReason.WRONG_BLOCKCHAIN, "envelope for blockchain " + chain);
    }
    long view = counter(j, "view", 0);
    long height = counter(j, "height", 1);
    String sender = r.publicKey("sender");
    String sig = r.signature("sig");
    switch (type) {
      case "pre_prepare": {
        byte[] payload = j.has("payload") ? base64(r.string("payload")) : null;
        if (payload == null && payloadRequired) {
          throw WireException.malformed("missing required field 'payload'");
        }
        return new PrePrepare(chain, view, height, r.sha256("digest"), payload, sender, sig);
      }
      case "prepare":
        return new Prepare(chain, view, height, r.sha256("digest"), sender, sig);
      case "commit":
        return new Commit(chain, view, height, r.sha256("digest"), sender, sig);
      case "checkpoint":
        return new Checkpoint(chain, view, height, r.sha256("digest"), sender, sig);
      case "view_change": {
        CommitCertificate committed = j.has("committed") ? certificate(j.requireObject("committed")) : null;
        PreparedCertificate prepared = null;
        if (j.has("prepared")) {
          StrictJson p = j.requireObject("prepared");
          PrePrepare pp = (PrePrepare) envelope(p.requireObject("pre_prepare"), "pre_prepare", false);
          List<Prepare> prepares = new ArrayList<>();
          for (JsonNode n : p.requireArray("prepares", MAX_ITEMS)) {
            prepares.add((Prepare) envelope(StrictJson.element(n, "a prepare"), "prepare", false));
          }
          prepared = new PreparedCertificate(pp, prepares);
        }
        byte[] payload = j.has("prepared_payload") ? base64(r.string("prepared_payload")) : null;
        return new ViewChange(chain, view, height, committed, prepared, payload, sender, sig);
      }
      case "new_view": {
        List<ViewChange> vcs = new ArrayList<>();
        for (JsonNode n : j.requireArray("view_changes", MAX_ITEMS)) {
          vcs.add((ViewChange) envelope(StrictJson.element(n, "a view change"), "view_change", false));
        }
        PrePrepare re = j.has("reproposal")
            ? (PrePrepare) envelope(j.requireObject("reproposal"), "pre_prepare", true) : null;
        return new NewView(chain, view, height, vcs, re, sender, sig);
      }
      case "fetch":
        return new Fetch(chain, view, height, counter(j, "to_height", 1), sender, sig);
      case "block":
        return new Block(chain, view, height, r.sha256("digest"), base64(r.string("payload")),
            certificate(j.requireObject("certificate")), sender, sig);
      default:
        throw WireException.malformed("unknown envelope type '" + type + "'");
    }
  }

  private CommitCertificate certificate(StrictJson j) throws WireException, EnvelopeException {
    FieldReader r = new FieldReader(j);
    String chain = r.blockchainId("blockchain_id");
    if (!chain.equals(blockchainId)) {
      throw new EnvelopeException(RejectReason.WRONG_BLOCKCHAIN, "certificate for blockchain " + chain);
    }
    long view = counter(j, "view", 0);
    long height = counter(j, "height", 1);
    String digest = r.sha256("digest");
    List<Commit> commits = new ArrayList<>();
    for (JsonNode n : j.requireArray("commits", MAX_ITEMS)) {
      commits.add((Commit) envelope(StrictJson.element(n, "a commit"), "commit", false));
    }
    return new CommitCertificate(chain, view, height, digest, commits);
  }

  private static long counter(StrictJson j, String field, long min) throws WireException {
    long v = j.requireLong(field);
    if (v < min || v > WireRules.MAX_TIMESTAMP) {
      throw WireException.malformed("field '" + field + "' must be in " + min + "..2^53");
    }
    return v;
  }

  private static byte[] base64(String s) throws WireException {
    try {
      return Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      throw WireException.malformed("payload is not base64");
    }
  }

  // --- signatures ----------------------------------------------------------------------------

  private static void verifySignatures(Envelope e) throws EnvelopeException {
    verify(e);
    if (e instanceof ViewChange vc) {
      verifyNested(vc);
    } else if (e instanceof NewView nv) {
      for (ViewChange vc : nv.viewChanges()) {
        verify(vc);
        verifyNested(vc);
      }
      if (nv.reproposal() != null) {
        verify(nv.reproposal());
      }
    } else if (e instanceof Block b) {
      for (Commit c : b.certificate().commits()) {
        verify(c);
      }
    }
  }

  private static void verifyNested(ViewChange vc) throws EnvelopeException {
    if (vc.committed() != null) {
      for (Commit c : vc.committed().commits()) {
        verify(c);
      }
    }
    if (vc.prepared() != null) {
      verify(vc.prepared().prePrepare());
      for (Prepare p : vc.prepared().prepares()) {
        verify(p);
      }
    }
  }

  private static void verify(Envelope e) throws EnvelopeException {
    if (!e.signatureValid()) {
      throw new EnvelopeException(RejectReason.BAD_SIGNATURE,
          "signature of a " + type(e) + " from " + e.sender() + " does not verify");
    }
  }
}
