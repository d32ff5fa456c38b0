package dev.soma.resilience.outbox.internal;

import dev.soma.resilience.common.ControlFlowException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;

/**
 * Marks of acknowledged batches that ride on the relay's next claim: the claim's transaction marks
 * them published before it claims ({@link OutboxRepository#claim(Claim, List)}), so at a trickle a
 * batch costs the relay one transaction (and one WAL flush) instead of a claim and a mark of its
 * own.
 *
 * <p>Queuing a mark wakes the relay, and that wake replaces the one a settled batch gives: the
 * scheduler keeps it until a claim covers it, and until then the batch's rows, still leased by the
 * relay, neither stop their aggregates nor are claimed again (the order rule of {@link
 * ClaimSql#CLAIM}), so nothing waits for the mark. The relay {@linkplain #takeAll takes} the queued
 * marks into its next claim; when it can start none (pipeline full, lock lost, stopping, a pause)
 * with none running, it {@linkplain #failAll fails} them with {@link NotCarried}, and each batch is
 * then settled alone, as is one whose claim failed. The cost: an acknowledged row stays pending,
 * leased, until a claim commits, which may be the one running when it was queued and then the next.
 *
 * <p>Not thread-safe: confined to the relay's event loop.
 */
final class CarriedMarks {

  /** The published rows of one batch, and the promise of how many of them were still leased. */
  record Mark(List<Long> ids, Promise<Integer> marked) {}

  /** No claim could carry the mark: its batch is settled alone. */
  static final class NotCarried extends ControlFlowException {
    NotCarried() {
      super("no claim to carry the mark");
    }
  }

  private final Runnable queued;
  private List<Mark> marks = new ArrayList<>();

  /** {@code queued} runs after each mark is queued: the relay wakes to claim. */
  CarriedMarks(Runnable queued) {
    this.queued = queued;
  }

  /**
   * Queues {@code ids} for the next claim; completes with how many of them it marked, or fails
   * (nothing marked) when its claim failed or none could carry it.
   */
  Future<Integer> mark(List<Long> ids) {
    Promise<Integer> marked = Promise.promise();
    marks.add(new Mark(ids, marked));
    queued.run();
    return marked.future();
  }

  boolean isEmpty() {
    return marks.isEmpty();
  }

  /** Every queued mark, which the caller now owns and must complete. */
  List<Mark> takeAll() {
    List<Mark> taken = marks;
    marks = new ArrayList<>();
    return taken;
  }

  /** Fails every queued mark with {@link NotCarried}. */
  void failAll() {
    takeAll().forEach(mark -> mark.marked().fail(new NotCarried()));
  }

  /** Completes {@code taken} by the rows each one marked, in order, or fails them all. */
  static void completeFrom(List<Mark> taken, Future<List<Integer>> marked) {
    marked.onComplete(
        ar -> {
          for (int i = 0; i < taken.size(); i++) {
            if (ar.succeeded()) {
              taken.get(i).marked().complete(ar.result().get(i));
            } else {
              taken.get(i).marked().fail(ar.cause());
            }
          }
        });
  }
}
