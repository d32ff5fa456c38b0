package dev.soma.resilience.journal;

/** The journal is at its size cap: the record was not written (nothing of it is on disk). */
public final class JournalFullException extends RuntimeException {

  public JournalFullException(long capBytes) {
    super(
        "the local journal is full (" + capBytes + " bytes); nothing was written",
        null,
        false,
        false);
  }
}
