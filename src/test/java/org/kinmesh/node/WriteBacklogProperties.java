package org.kinmesh.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * Consensus and a model of the ledger (apply at once, write behind in order, a disk that fills
 * and empties), their messages delivered in order with any interleaving: memory never holds
 * more than the bound, and once the disk has room a held height always goes on (issue 13.3).
 */
class WriteBacklogProperties {
  private static final int MAX = 5;

  /** The ledger of LedgerVerticle.append, as far as counting goes. */
  private static final class Ledger {
    final Deque<Boolean> inbox = new ArrayDeque<>(); // appends sent by consensus
    final Deque<Boolean> unwritten = new ArrayDeque<>();
    final Deque<int[]> toConsensus = new ArrayDeque<>(); // {kind 0 answer / 1 written, count}
    int most;

    void apply() {
      inbox.poll();
      unwritten.add(false);
      int count = unwritten.size();
      most = Math.max(most, count);
      toConsensus.add(new int[] {0, count});
    }

    /** A write made at the bound is announced (ledger.written). */
    void write() {
      unwritten.poll();
      if (unwritten.size() + 1 >= MAX) {
        toConsensus.add(new int[] {1, unwritten.size()});
      }
    }
  }

  /** ConsensusVerticle's use of the backlog: commit, hold, resume. */
  private static final class Consensus {
    final WriteBacklog backlog = new WriteBacklog(MAX);
    boolean held;
    int commits;

    void commit(Ledger ledger) {
      commits++;
      ledger.inbox.add(true);
      held = !backlog.sent();
    }

    void receive(int[] m) {
      if (m[0] == 0) {
        backlog.answered(m[1]);
      } else {
        backlog.written(m[1]);
      }
      if (held && backlog.belowBound()) {
        held = false;
      }
    }
  }

  @Property(tries = 1000)
  void memoryStaysWithinTheBoundAndAHeldHeightResumesOnceTheDiskHasRoom(
      @ForAll @Size(max = 400) List<@IntRange(min = 0, max = 5) Integer> steps) {
    Ledger ledger = new Ledger();
    Consensus consensus = new Consensus();
    boolean full = false;
    for (int step : steps) {
      switch (step) {
        case 0, 1 -> {
          if (!consensus.held) {
            consensus.commit(ledger);
          }
        }
        case 2 -> {
          if (!ledger.inbox.isEmpty()) {
            ledger.apply();
          }
        }
        case 3 -> {
          if (!full && !ledger.unwritten.isEmpty()) {
            ledger.write();
          }
        }
        case 4 -> {
          if (!ledger.toConsensus.isEmpty()) {
            consensus.receive(ledger.toConsensus.poll());
          }
        }
        default -> full = !full;
      }
      assertThat(ledger.unwritten.size()).isLessThanOrEqualTo(MAX);
    }
    // Space returns: the ledger works off everything and every message arrives.
    while (!ledger.inbox.isEmpty() || !ledger.unwritten.isEmpty() || !ledger.toConsensus.isEmpty()) {
      if (!ledger.inbox.isEmpty()) {
        ledger.apply();
      } else if (!ledger.unwritten.isEmpty()) {
        ledger.write();
      } else {
        consensus.receive(ledger.toConsensus.poll());
      }
    }
    assertThat(consensus.held).as("a held height goes on once the writes caught up").isFalse();
    assertThat(ledger.most).isLessThanOrEqualTo(MAX);
  }

  @Test
  void aFullDiskHoldsTheHeightAtTheBoundAndTheFirstWriteReleasesIt() {
    Ledger ledger = new Ledger();
    Consensus consensus = new Consensus();
    for (int i = 0; i < 100 && !consensus.held; i++) {
      consensus.commit(ledger);
      ledger.apply();
      consensus.receive(ledger.toConsensus.poll());
    }
    assertThat(consensus.held).isTrue();
    assertThat(consensus.commits).isEqualTo(MAX);
    assertThat(ledger.unwritten).hasSize(MAX);
    ledger.write();
    consensus.receive(ledger.toConsensus.poll());
    assertThat(consensus.held).as("one write makes room for one more block, not the whole backlog").isFalse();
    consensus.commit(ledger);
    ledger.apply();
    consensus.receive(ledger.toConsensus.poll());
    assertThat(consensus.held).as("at the bound again").isTrue();
  }

  @Test
  void theBoundMustBePositive() {
    assertThatThrownBy(() -> new WriteBacklog(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1");
  }
}
