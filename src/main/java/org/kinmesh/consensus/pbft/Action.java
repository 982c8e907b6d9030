package org.kinmesh.consensus.pbft;

/**
 * Outputs of {@link Replica#handle}, for the host to carry out in order.
 *
 * <p>A host handles them through {@link Handler}, one method per action type: every action
 * implements {@link #accept}, so a new action type does not compile until {@link Handler} has its
 * method, and then no host compiles until it handles it (Java 17 has no exhaustive pattern switch;
 * this visitor is how javac refuses an action a host would otherwise ignore silently).
 */
public sealed interface Action {
  /** Hands this action to the method of {@code h} for its type. */
  void accept(Handler h);

  /** A host: one method per action type, no default. */
  interface Handler {
    void broadcast(Broadcast a);

    void send(Send a);

    void committed(Committed a);

    void buildBlock(BuildBlock a);

    void validate(Validate a);

    void serveFetch(ServeFetch a);

    void startTimer(StartTimer a);

    void cancelTimer(CancelTimer a);

    void reportEquivocation(ReportEquivocation a);

    void rejected(Rejected a);

    void viewChanged(ViewChanged a);
  }

  /** Send to every other key of the current membership (the replica already applied its own). */
  record Broadcast(Envelope envelope) implements Action {
    @Override
    public void accept(Handler h) {
      h.broadcast(this);
    }
  }

  record Send(String to, Envelope envelope) implements Action {
    @Override
    public void accept(Handler h) {
      h.send(this);
    }
  }

  /**
   * Block {@code height} committed: store payload and certificate, apply it, then answer with
   * {@link Event.Applied}.
   */
  record Committed(long height, long view, String digest, byte[] payload, CommitCertificate certificate)
      implements Action {
    @Override
    public void accept(Handler h) {
      h.committed(this);
    }
  }

  /**
   * Primary only: build a block for (view, height) and answer with {@link Event.Propose}. When
   * {@code mustPropose} is false, answer only if transactions wait; when true, propose even an
   * empty heartbeat block.
   */
  record BuildBlock(long view, long height, boolean mustPropose) implements Action {
    @Override
    public void accept(Handler h) {
      h.buildBlock(this);
    }
  }

  /**
   * Judge block {@code height} (always the one after the last committed, asked only after the
   * previous one was applied, so the host can check prev_hash and transactions) and answer with
   * {@link Event.Validated} once it knows. The host must check that {@code digest} is the hash of
   * {@code payload}: signatures bind the digest, this check binds the payload to it.
   * {@code proposal}: a pre-prepare this replica is asked to vote for (the host may refuse a block
   * dated too far in its future); false: a block a commit certificate already proves committed,
   * judged on its content only. {@code from}: who sent it, where the host can fetch what it misses.
   * Until the answer comes the replica waits (the view timer bounds that); it asks once per
   * (height, digest, proposal) until {@link Event.Wake} says something may have changed.
   */
  record Validate(long height, long view, String digest, byte[] payload, boolean proposal, String from)
      implements Action {
    @Override
    public void accept(Handler h) {
      h.validate(this);
    }
  }

  /** Read committed blocks {@code from..to} and send each to {@code to} as an {@link Envelope.Block}. */
  record ServeFetch(String to, long from, long toHeight) implements Action {
    @Override
    public void accept(Handler h) {
      h.serveFetch(this);
    }
  }

  record StartTimer(TimerId id, long delayMs) implements Action {
    @Override
    public void accept(Handler h) {
      h.startTimer(this);
    }
  }

  record CancelTimer(TimerId.Kind kind) implements Action {
    @Override
    public void accept(Handler h) {
      h.cancelTimer(this);
    }
  }

  /** Two different pre-prepares signed by one primary for one (view, height): report the sender. */
  record ReportEquivocation(String sender, Envelope.PrePrepare first, Envelope.PrePrepare second)
      implements Action {
    @Override
    public void accept(Handler h) {
      h.reportEquivocation(this);
    }
  }

  /** An inbound message was dropped; count it by reason. */
  record Rejected(RejectReason reason, String sender, String detail) implements Action {
    @Override
    public void accept(Handler h) {
      h.rejected(this);
    }
  }

  /** The replica entered {@code view} (for status and logs). */
  record ViewChanged(long view, String primary) implements Action {
    @Override
    public void accept(Handler h) {
      h.viewChanged(this);
    }
  }
}
