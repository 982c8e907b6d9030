package org.kinmesh.relay;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.kinmesh.chain.Block;
import org.kinmesh.chain.GovernanceState;
import org.kinmesh.chain.InvalidBlockException;
import org.kinmesh.chain.Ledger;
import org.kinmesh.chain.Member;
import org.kinmesh.chain.NodeRecord;
import org.kinmesh.config.ConfigException;
import org.kinmesh.wire.WireException;

/** Turns a genesis file into a relay bootstrap snapshot: the chain decides who is authorized. */
final class GenesisBootstrap {
  private GenesisBootstrap() {}

  static RelayConfig.BootstrapEntry read(String where, Path file, String adminOverride) throws ConfigException {
    String key = where + ".genesis_path";
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new ConfigException(key, "cannot read genesis file " + file + ": " + e.getMessage());
    }
    Block genesis;
    GovernanceState state;
    try {
      genesis = Block.parse(bytes);
      state = Ledger.genesis(genesis).state();
    } catch (WireException e) {
      throw new ConfigException(key, file + " is not a genesis block: " + e.getMessage());
    } catch (InvalidBlockException e) {
      throw new ConfigException(key, file + " is not a valid genesis: " + e.getMessage());
    }
    List<String> nodes = state.nodes().values().stream().filter(NodeRecord::active).map(NodeRecord::pubkey).toList();
    String admin = adminOverride;
    if (admin == null) {
      admin = state.members().values().stream().filter(Member::guardian).map(Member::pubkey).findFirst()
          .orElseThrow(() -> new ConfigException(key, file + " has no guardian; give admin_pubkey"));
    }
    return new RelayConfig.BootstrapEntry(genesis.blockchainId(), genesis.hash(), admin, nodes);
  }
}
