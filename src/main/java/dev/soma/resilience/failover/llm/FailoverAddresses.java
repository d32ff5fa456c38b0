package dev.soma.resilience.failover.llm;

/**
 * Event-bus addresses of provider failover. Messages are JSON objects; see docs/FAILOVER.md for a
 * walk-through.
 */
public final class FailoverAddresses {

  /**
   * Request/reply: an {@link LlmRequest} in, an {@link LlmReply} out. A failure is a {@code
   * ReplyException} whose failure code is the HTTP status that fits (400 the request is wrong, 503
   * no provider could answer, 504 the deadline passed) and whose message is an {@link LlmError} as
   * JSON. Send with a timeout longer than the request's deadline.
   */
  public static final String LLM_COMPLETE = "failover.llm.complete";

  /**
   * Streaming: an {@link LlmRequest} with {@code replyTo} set to an address the caller already
   * consumes. The reply acknowledges the request ({@code {"accepted":true}}) or fails like {@link
   * #LLM_COMPLETE} when the request is wrong; then {@link LlmStreamEvent}s are sent to {@code
   * replyTo}, in order: any number of {@code token}s, then exactly one {@code end} or {@code
   * error}.
   */
  public static final String LLM_STREAM = "failover.llm.stream";

  private FailoverAddresses() {}
}
