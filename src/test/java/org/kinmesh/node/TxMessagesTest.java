package org.kinmesh.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.kinmesh.chain.Payload;
import org.kinmesh.chain.Transaction;
import org.kinmesh.node.link.LinkMessage;
import org.kinmesh.testing.TestKeys;
import org.kinmesh.wire.WireException;
import org.kinmesh.wire.WireRules;

class TxMessagesTest {
  static List<Transaction> txs(int n) {
    List<Transaction> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(Transaction.sign(TestKeys.key(7), "chain", i + 1, 1_700_000_000L, new Payload.Data("ab".repeat(256))));
    }
    return out;
  }

  @Test
  void forwardsPackManyTransactionsIntoFramesThatFitALink() throws Exception {
    List<Transaction> all = txs(500);
    List<String> payloads = TxMessages.forwards(all.stream().map(TxMessages::json).toList());
    assertThat(payloads.size()).isBetween(8, 10); // ~950 framed bytes each, ~58 a message
    List<Transaction> back = new ArrayList<>();
    for (String p : payloads) {
      assertThat(TxMessages.isLedgerPayload(p)).isTrue();
      // the link frame escapes the payload's quotes: it must still be within 64 KiB
      String frame = new JsonObject().put("payload", p).encode();
      assertThat(frame.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(WireRules.MAX_MESSAGE_BYTES);
      back.addAll(TxMessages.readForward(p));
    }
    assertThat(back).isEqualTo(all);
    assertThat(TxMessages.forwards(List.of())).isEmpty();
  }

  @Test
  void theSingleTransactionFormIsStillRead() throws Exception {
    Transaction tx = txs(1).get(0);
    String old = TxMessages.FORWARD_ONE + TxMessages.json(tx) + "}";
    assertThat(TxMessages.readForward(old)).containsExactly(tx);
  }

  @Test
  void requestsAreSplitAndBounded() throws Exception {
    List<String> hashes = txs(3).stream().map(Transaction::hash).toList();
    List<String> reqs = TxMessages.requests(hashes);
    assertThat(reqs).hasSize(1);
    assertThat(TxMessages.readRequest(reqs.get(0))).isEqualTo(hashes);
    List<String> many = new ArrayList<>();
    for (int i = 0; i < TxMessages.MAX_REQUEST_HASHES + 1; i++) {
      many.add(String.format("%064x", i));
    }
    assertThat(TxMessages.requests(many)).hasSize(2);
  }

  @Test
  void malformedPayloadsAreRefused() {
    assertThatThrownBy(() -> TxMessages.readRequest("{\"tx_request\":[\"nothex\"]}")).isInstanceOf(WireException.class);
    assertThatThrownBy(() -> TxMessages.readRequest("{\"tx_request\":[1]}")).isInstanceOf(WireException.class);
    StringBuilder tooMany = new StringBuilder("{\"tx_request\":[");
    for (int i = 0; i <= TxMessages.MAX_REQUEST_HASHES; i++) {
      tooMany.append(i == 0 ? "" : ",").append('"').append(String.format("%064x", i)).append('"');
    }
    assertThatThrownBy(() -> TxMessages.readRequest(tooMany + "]}")).isInstanceOf(WireException.class);
    assertThatThrownBy(() -> TxMessages.readForward("{\"forward_txs\":[{\"x\":1}]}")).isInstanceOf(WireException.class);
    assertThatThrownBy(() -> TxMessages.readForward("{\"forward_txs\":[")).isInstanceOf(WireException.class);
    assertThat(TxMessages.isLedgerPayload("{\"type\":\"prepare\"}")).isFalse();
  }

  @Test
  void aLinkMessageIsSortedByItsBytesAndItsForwardReadFromThem() throws Exception {
    List<Transaction> all = txs(3);
    String forward = TxMessages.forwards(all.stream().map(TxMessages::json).toList()).get(0);
    LinkMessage f = new LinkMessage("peer", forward.getBytes(StandardCharsets.UTF_8));
    assertThat(TxMessages.isLedgerPayload(f)).isTrue();
    assertThat(TxMessages.isRequest(f)).isFalse();
    assertThat(TxMessages.readForward(f.payload())).isEqualTo(all);
    String request = TxMessages.requests(List.of(all.get(0).hash())).get(0);
    LinkMessage r = new LinkMessage("peer", request.getBytes(StandardCharsets.UTF_8));
    assertThat(TxMessages.isLedgerPayload(r)).isTrue();
    assertThat(TxMessages.isRequest(r)).isTrue();
    // a consensus envelope, a payload shorter than every prefix, and a near miss are not the ledger's
    for (String other : List.of("{\"type\":\"prepare\"}", "{", "{\"forward_tx\" :")) {
      assertThat(TxMessages.isLedgerPayload(new LinkMessage("peer", other.getBytes(StandardCharsets.UTF_8))))
          .as(other).isFalse();
    }
  }
}
