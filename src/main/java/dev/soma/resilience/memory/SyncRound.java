package dev.soma.resilience.memory;

/** What a pass of the memory sync did: memories SomaBrain took, and those that failed. */
public record SyncRound(int synced, int failed) {}
