package org.kinmesh.session;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.kinmesh.crypto.Hex;
import org.kinmesh.crypto.noise.KeyPair25519;
import org.kinmesh.crypto.noise.NoiseException;
import org.kinmesh.crypto.noise.StaticStaticDh;

/**
 * DH(our static, a member's static), computed once per member (WireGuard's precomputed
 * static-static): one X25519 operation less per handshake and side. Only members' keys are kept,
 * so a stranger's handshakes cannot grow it; it is as secret as the static key itself.
 */
final class StaticStaticCache implements StaticStaticDh {
  private final KeyPair25519 local;
  private final Members members;
  private final Map<String, byte[]> byRemote = new ConcurrentHashMap<>();

  StaticStaticCache(KeyPair25519 local, Members members) {
    this.local = local;
    this.members = members;
  }

  @Override
  public byte[] dh(byte[] remoteStatic) throws NoiseException {
    if (members.identityOf(remoteStatic).isEmpty()) {
      return local.dh(remoteStatic);
    }
    String key = Hex.encode(remoteStatic);
    byte[] ss = byRemote.get(key);
    if (ss == null) {
      ss = local.dh(remoteStatic);
      byRemote.put(key, ss);
    }
    return ss.clone();
  }

  /** How many members' values are held (tests). */
  int size() {
    return byRemote.size();
  }
}
