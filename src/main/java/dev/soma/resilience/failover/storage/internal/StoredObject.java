package dev.soma.resilience.failover.storage.internal;

/** An object as a link returned it. */
public record StoredObject(String contentType, byte[] data) {}
