package dev.soma.resilience.journal;

import java.nio.file.Path;

/** Another process (or another journal in this one) has the journal in this directory open. */
public final class JournalInUseException extends IllegalStateException {

  public JournalInUseException(Path dir) {
    super(
        "the journal in "
            + dir
            + " is open in another process (a running service on the same data directory?);"
            + " stop it first, or give another directory");
  }
}
