package org.kinmesh.consensus.pbft;

import java.util.List;
import java.util.stream.Collectors;
import org.kinmesh.crypto.Ed25519;
import org.kinmesh.wire.Canonical;
import org.kinmesh.wire.MessageTag;

/**
 * A signed consensus message (docs/consensus.md). Every canonical message starts with its own
 * tag, the blockchain_id, view and height, so no signature crosses kinds, chains or slots.
 * Payload bytes are not signed: the digest is, and the host, answering {@link Action.Validate}, binds payload to digest.
 */
public sealed interface Envelope {
  /** No prepared certificate, no re-proposal: the digest field of the canonical message. */
  String NONE = "none";

  String blockchainId();

  long view();

  long height();

  String sender();

  String signature();

  byte[] canonical();

  default boolean signatureValid() {
    return Ed25519.verify(sender(), signature(), canonical());
  }

  /** The primary's proposal for (view, height). {@code payload} is null inside certificates. */
  record PrePrepare(String blockchainId, long view, long height, String digest, byte[] payload,
      String sender, String signature) implements Envelope {
    @Override
    public byte[] canonical() {
      return Canonical.message(MessageTag.PBFT_PRE_PREPARE, blockchainId, view, height, digest, sender);
    }

    public PrePrepare withoutPayload() {
      return payload == null ? this : new PrePrepare(blockchainId, view, height, digest, null, sender, signature);
    }
  }

  record Prepare(String blockchainId, long view, long height, String digest, String sender, String signature)
      implements Envelope {
    @Override
    public byte[] canonical() {
      return Canonical.message(MessageTag.PBFT_PREPARE, blockchainId, view, height, digest, sender);
    }
  }

  record Commit(String blockchainId, long view, long height, String digest, String sender, String signature)
      implements Envelope {
    @Override
    public byte[] canonical() {
      return Canonical.message(MessageTag.PBFT_COMMIT, blockchainId, view, height, digest, sender);
    }
  }

  /** "I committed {@code digest} at {@code height}"; view is the sender's, informational only. */
  record Checkpoint(String blockchainId, long view, long height, String digest, String sender, String signature)
      implements Envelope {
    @Override
    public byte[] canonical() {
      return Canonical.message(MessageTag.PBFT_CHECKPOINT, blockchainId, view, height, digest, sender);
    }
  }

  /**
   * "Move to {@code view}; I am deciding {@code height}." {@code committed} proves height - 1
   * (null only at height 1, after genesis); {@code prepared} is the highest-view prepared
   * certificate the sender holds for {@code height}, with its payload when sent alone (stripped
   * inside a NEW-VIEW).
   */
  record ViewChange(String blockchainId, long view, long height, CommitCertificate committed,
      PreparedCertificate prepared, byte[] preparedPayload, String sender, String signature) implements Envelope {
    @Override
    public byte[] canonical() {
      return Canonical.message(MessageTag.PBFT_VIEW_CHANGE, blockchainId, view, height,
          prepared == null ? NONE : prepared.digest(),
          sender,
          prepared == null ? NONE : Long.toString(prepared.view()));
    }

    public ViewChange withoutPayload() {
      return preparedPayload == null ? this
          : new ViewChange(blockchainId, view, height, committed, prepared, null, sender, signature);
    }
  }

  /**
   * The new primary's proof that {@code view} starts at {@code height}: a threshold of view
   * changes, and the re-proposal they force (null when none prepared anything at that height).
   */
  record NewView(String blockchainId, long view, long height, List<ViewChange> viewChanges,
      PrePrepare reproposal, String sender, String signature) implements Envelope {
    public NewView {
      viewChanges = List.copyOf(viewChanges);
    }

    @Override
    public byte[] canonical() {
      return Canonical.message(MessageTag.PBFT_NEW_VIEW, blockchainId, view, height,
          reproposal == null ? NONE : reproposal.digest(), sender,
          viewChanges.stream().map(ViewChange::sender).sorted().collect(Collectors.joining(",")));
    }
  }

  /** "Send me blocks {@code height}..{@code toHeight} with their certificates." */
  record Fetch(String blockchainId, long view, long height, long toHeight, String sender, String signature)
      implements Envelope {
    @Override
    public byte[] canonical() {
      return Canonical.message(MessageTag.PBFT_FETCH, blockchainId, view, height, toHeight, sender);
    }
  }

  /** A committed block for catch-up; believed because of its certificate, not its sender. */
  record Block(String blockchainId, long view, long height, String digest, byte[] payload,
      CommitCertificate certificate, String sender, String signature) implements Envelope {
    @Override
    public byte[] canonical() {
      return Canonical.message(MessageTag.PBFT_BLOCK, blockchainId, view, height, digest, sender);
    }
  }
}
