package org.kinmesh.node;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.kinmesh.chain.Block;
import org.kinmesh.chain.Transaction;
import org.kinmesh.node.link.LinkMessage;
import org.kinmesh.wire.StrictJson;
import org.kinmesh.wire.WireException;
import org.kinmesh.wire.WireRules;

/**
 * The ledger's node-to-node payloads on links (not consensus envelopes; docs/consensus.md,
 * "Transactions between nodes"): {@code {"forward_txs": [TX, ...]}} carries accepted transactions
 * to the other nodes' mempools, and answers a {@code {"tx_request": [hash, ...]}} for transactions a
 * compact block names. The single-transaction form {@code {"forward_tx": TX}} of earlier versions
 * is still read. Pure codec; every list is bounded before anything in it is parsed.
 */
final class TxMessages {
  /** Every ledger payload starts with one of these; the consensus host skips them. */
  static final String FORWARD_ONE = "{\"forward_tx\":";
  static final String FORWARD_MANY = "{\"forward_txs\":";
  static final String REQUEST = "{\"tx_request\":";
  /**
   * Most payload bytes in one message: the link frame wraps the payload in a JSON string, where
   * every quote and backslash doubles, and must stay within 64 KiB.
   */
  static final int MAX_PAYLOAD_BYTES = 56_000;
  /** Most hashes one request may name: a block's worth. */
  static final int MAX_REQUEST_HASHES = Block.MAX_TXS;

  private TxMessages() {}

  static boolean isLedgerPayload(String payload) {
    return payload.startsWith(FORWARD_ONE) || payload.startsWith(FORWARD_MANY) || payload.startsWith(REQUEST);
  }

  /** The same look at a payload's bytes as they came off the link (no decoding, no parse). */
  static boolean isLedgerPayload(LinkMessage m) {
    return m.startsWith(FORWARD_ONE) || m.startsWith(FORWARD_MANY) || m.startsWith(REQUEST);
  }

  static boolean isRequest(LinkMessage m) {
    return m.startsWith(REQUEST);
  }

  /** Transactions (their JSON) packed into as few forward payloads as the size bound allows. */
  static List<String> forwards(List<String> txJson) {
    List<String> out = new ArrayList<>();
    StringBuilder sb = null;
    int framed = 0;
    for (String tx : txJson) {
      int cost = framedLength(tx) + 1;
      if (sb != null && framed + cost + 2 > MAX_PAYLOAD_BYTES) {
        out.add(sb.append("]}").toString());
        sb = null;
      }
      if (sb == null) {
        sb = new StringBuilder(FORWARD_MANY).append('[');
        framed = framedLength(FORWARD_MANY) + 1;
      } else {
        sb.append(',');
      }
      sb.append(tx);
      framed += cost;
    }
    if (sb != null) {
      out.add(sb.append("]}").toString());
    }
    return out;
  }

  /** A transaction's JSON as the forward payload carries it. */
  static String json(Transaction tx) {
    return tx.toJsonString();
  }

  /** What the payload costs inside a link frame: quotes and backslashes are escaped. */
  static int framedLength(String s) {
    int n = s.length();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        n++;
      } else if (c > 0x7f) {
        n += 5; // non-ASCII: never in a transaction's JSON, counted generously anyway
      }
    }
    return n;
  }

  /** The transactions of a forward payload (either form); a malformed one throws, naming the fault. */
  static List<Transaction> readForward(String payload) throws WireException {
    return readForward(payload.getBytes(StandardCharsets.UTF_8));
  }

  /** As above, from the payload's bytes as the link delivered them: one parse, typed values out. */
  static List<Transaction> readForward(byte[] payload) throws WireException {
    StrictJson j = StrictJson.parse(payload, WireRules.MAX_MESSAGE_BYTES);
    List<Transaction> out = new ArrayList<>();
    if (j.has("forward_tx")) {
      out.add(Transaction.fromJson(j.requireObject("forward_tx")));
      return out;
    }
    for (JsonNode n : j.requireArray("forward_txs", Block.MAX_TXS)) {
      out.add(Transaction.fromJson(StrictJson.element(n, "a transaction")));
    }
    return out;
  }

  /** Requests for these hashes, split so each names at most {@link #MAX_REQUEST_HASHES}. */
  static List<String> requests(List<String> hashes) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < hashes.size(); i += MAX_REQUEST_HASHES) {
      StringBuilder sb = new StringBuilder(REQUEST).append('[');
      List<String> part = hashes.subList(i, Math.min(hashes.size(), i + MAX_REQUEST_HASHES));
      for (int k = 0; k < part.size(); k++) {
        sb.append(k == 0 ? "\"" : ",\"").append(part.get(k)).append('"');
      }
      out.add(sb.append("]}").toString());
    }
    return out;
  }

  /** The hashes a request names (each a lowercase SHA-256 hex, at most {@link #MAX_REQUEST_HASHES}). */
  static List<String> readRequest(String payload) throws WireException {
    return readRequest(payload.getBytes(StandardCharsets.UTF_8));
  }

  static List<String> readRequest(byte[] payload) throws WireException {
    StrictJson j = StrictJson.parse(payload, WireRules.MAX_MESSAGE_BYTES);
    List<String> out = new ArrayList<>();
    for (JsonNode n : j.requireArray("tx_request", MAX_REQUEST_HASHES)) {
      if (!n.isTextual() || !WireRules.isSha256Hex(n.textValue())) {
        throw WireException.malformed("field 'tx_request' must hold transaction hashes");
      }
      out.add(n.textValue());
    }
    return out;
  }
}
