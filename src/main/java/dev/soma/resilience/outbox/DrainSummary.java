package dev.soma.resilience.outbox;

/**
 * Totals of one pass over the outbox ({@code publish-outbox --once}): batches claimed, events the
 * broker acknowledged, and events that failed (to be retried, or dead-lettered).
 */
public record DrainSummary(int batches, int published, int failed) {}
