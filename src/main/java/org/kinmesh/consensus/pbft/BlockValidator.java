package org.kinmesh.consensus.pbft;

/**
 * The host's judgement of a proposed block. Called for height h only after block h - 1 was
 * applied ({@link Event.Applied}), so it can check prev_hash and transactions. It must also
 * check that {@code digest} is the hash of {@code payload}: signatures bind the digest, and this
 * check binds the payload to it.
 */
@FunctionalInterface
public interface BlockValidator {
  boolean isValid(long height, byte[] payload, String digest);
}
