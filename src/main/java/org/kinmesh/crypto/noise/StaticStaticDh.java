package org.kinmesh.crypto.noise;

/**
 * DH(s, rs) for the {@code ss} token. It is the same in every handshake between two static
 * keys, so a node may compute it once per peer (WireGuard's precomputed static-static), saving
 * one of IK's four X25519 operations per side.
 */
@FunctionalInterface
public interface StaticStaticDh {
  byte[] dh(byte[] remoteStatic) throws NoiseException;
}
