package dev.soma.resilience.cluster;

/** This node could not join its cluster in time; the message says through whom and why. */
public final class ClusterJoinException extends RuntimeException {

  ClusterJoinException(String message, Throwable cause) {
    super(message, cause);
  }
}
