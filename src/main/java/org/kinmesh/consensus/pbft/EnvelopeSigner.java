package org.kinmesh.consensus.pbft;

import java.util.List;

/**
 * Builds this node's signed envelopes for one blockchain. The replica uses it for its votes; the
 * host uses {@link #block} to answer {@link Action.ServeFetch}.
 */
public final class EnvelopeSigner {
  private final String chain;
  private final Signer signer;

  public EnvelopeSigner(String blockchainId, Signer signer) {
    this.chain = blockchainId;
    this.signer = signer;
  }

  public String publicKey() {
    return signer.publicKey();
  }

  public Envelope.PrePrepare prePrepare(long view, long height, String digest, byte[] payload) {
    String me = signer.publicKey();
    Envelope.PrePrepare e = new Envelope.PrePrepare(chain, view, height, digest, payload, me, null);
    return new Envelope.PrePrepare(chain, view, height, digest, payload, me, signer.sign(e.canonical()));
  }

  public Envelope.Prepare prepare(long view, long height, String digest) {
    String me = signer.publicKey();
    Envelope.Prepare e = new Envelope.Prepare(chain, view, height, digest, me, null);
    return new Envelope.Prepare(chain, view, height, digest, me, signer.sign(e.canonical()));
  }

  public Envelope.Commit commit(long view, long height, String digest) {
    String me = signer.publicKey();
    Envelope.Commit e = new Envelope.Commit(chain, view, height, digest, me, null);
    return new Envelope.Commit(chain, view, height, digest, me, signer.sign(e.canonical()));
  }

  public Envelope.Checkpoint checkpoint(long view, long height, String digest) {
    String me = signer.publicKey();
    Envelope.Checkpoint e = new Envelope.Checkpoint(chain, view, height, digest, me, null);
    return new Envelope.Checkpoint(chain, view, height, digest, me, signer.sign(e.canonical()));
  }

  public Envelope.ViewChange viewChange(long view, long height, CommitCertificate committed,
      PreparedCertificate prepared, byte[] preparedPayload) {
    String me = signer.publicKey();
    Envelope.ViewChange e = new Envelope.ViewChange(chain, view, height, committed, prepared, preparedPayload, me, null);
    return new Envelope.ViewChange(chain, view, height, committed, prepared, preparedPayload, me,
        signer.sign(e.canonical()));
  }

  public Envelope.NewView newView(long view, long height, List<Envelope.ViewChange> viewChanges,
      Envelope.PrePrepare reproposal) {
    String me = signer.publicKey();
    Envelope.NewView e = new Envelope.NewView(chain, view, height, viewChanges, reproposal, me, null);
    return new Envelope.NewView(chain, view, height, viewChanges, reproposal, me, signer.sign(e.canonical()));
  }

  public Envelope.Fetch fetch(long view, long from, long to) {
    String me = signer.publicKey();
    Envelope.Fetch e = new Envelope.Fetch(chain, view, from, to, me, null);
    return new Envelope.Fetch(chain, view, from, to, me, signer.sign(e.canonical()));
  }

  /** A stored block with its certificate, for a peer that is catching up. */
  public Envelope.Block block(long height, String digest, byte[] payload, CommitCertificate certificate) {
    String me = signer.publicKey();
    Envelope.Block e = new Envelope.Block(chain, certificate.view(), height, digest, payload, certificate, me, null);
    return new Envelope.Block(chain, certificate.view(), height, digest, payload, certificate, me,
        signer.sign(e.canonical()));
  }
}
