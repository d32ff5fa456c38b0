package dev.soma.resilience.failover.chain;

/**
 * A walk moved from one link to the next: who was left ({@link Link#label()}), who took it, why.
 */
public record Hop(String from, String to, String reason) {}
