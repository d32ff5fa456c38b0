package dev.soma.resilience.breaker;

/**
 * How one call's result counts. The client that made the call decides, because only it knows what
 * an answer means (an HTTP 401 from a provider is the tenant's bad key, not the provider's fault).
 */
public enum CallOutcome {
  /** The dependency answered properly. */
  SUCCESS,
  /** The dependency failed for everyone: refused, timed out, 5xx, malformed. Counts everywhere. */
  DEPENDENCY_FAILURE,
  /** It failed for this tenant only (its quota: 429, its key: 401/403). Counts on its breaker. */
  TENANT_FAILURE,
  /** The caller asked wrongly (400, 422): counts nowhere, and frees a half-open trial slot. */
  CALLER_FAULT
}
