package org.kinmesh.session;

import java.util.Arrays;
import java.util.regex.Pattern;
import org.kinmesh.crypto.Hex;

/** The chain a session belongs to: its blockchain_id and genesis hash (PROTOCOL.md formats). */
public record ChainBinding(String blockchainId, byte[] genesisHash) {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  public ChainBinding {
    if (blockchainId == null || !ID.matcher(blockchainId).matches()) {
      throw new IllegalArgumentException("blockchain_id must be 1-64 characters of [A-Za-z0-9._-], not '"
          + blockchainId + "'");
    }
    if (genesisHash == null || genesisHash.length != 32) {
      throw new IllegalArgumentException("the genesis hash is 32 bytes (64 hex characters)");
    }
    genesisHash = genesisHash.clone();
  }

  public static ChainBinding of(String blockchainId, String genesisHashHex) {
    if (!Hex.isLowerHex(genesisHashHex, 32)) {
      throw new IllegalArgumentException("genesis_hash must be 64 lowercase hex characters");
    }
    return new ChainBinding(blockchainId, Hex.decode(genesisHashHex));
  }

  @Override
  public byte[] genesisHash() {
    return genesisHash.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ChainBinding c && c.blockchainId.equals(blockchainId)
        && Arrays.equals(c.genesisHash, genesisHash);
  }

  @Override
  public int hashCode() {
    return blockchainId.hashCode() * 31 + Arrays.hashCode(genesisHash);
  }

  @Override
  public String toString() {
    return blockchainId + "@" + Hex.encode(genesisHash).substring(0, 8);
  }
}
