package org.kinmesh.relay;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The decisions of one register group commit, given what the database says about its keys:
 * in arrival order, a request is accepted only if its key is authorized and its timestamp is
 * newer than the key's watermark, counting requests accepted earlier in the same batch (so two
 * requests of one key behave as if sent one by one). Pure.
 *
 * @param outcomes one per request, in batch order
 * @param accepted the requests to write, in batch order
 */
record RegisterPlan(List<RegisterWriter.Outcome> outcomes, List<RegisterWriter.Pending> accepted) {
  /** The key of the maps below: "blockchain_id/pubkey". */
  static String id(String blockchainId, String pubkey) {
    return blockchainId + '/' + pubkey;
  }

  /**
   * @param authorized ids authorized now
   * @param watermarks id -> last accepted register timestamp (kept after a key's removal)
   */
  static RegisterPlan decide(List<RegisterWriter.Pending> batch, Set<String> authorized, Map<String, Long> watermarks) {
    List<RegisterWriter.Outcome> outcomes = new ArrayList<>(batch.size());
    List<RegisterWriter.Pending> accepted = new ArrayList<>(batch.size());
    Map<String, Long> newest = new HashMap<>();
    for (RegisterWriter.Pending p : batch) {
      String id = id(p.blockchainId(), p.pubkey());
      Long last = newest.containsKey(id) ? newest.get(id) : watermarks.get(id);
      if (!authorized.contains(id) || (last != null && p.timestamp() <= last)) {
        outcomes.add(RegisterWriter.Outcome.REPLAYED_OR_UNAUTHORIZED);
        continue;
      }
      newest.put(id, p.timestamp());
      outcomes.add(RegisterWriter.Outcome.ACCEPTED);
      accepted.add(p);
    }
    return new RegisterPlan(List.copyOf(outcomes), List.copyOf(accepted));
  }
}
