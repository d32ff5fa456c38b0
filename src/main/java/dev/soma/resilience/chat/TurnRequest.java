package dev.soma.resilience.chat;

/**
 * One user turn: the message to answer, in a conversation (and optionally a session whose recent
 * turns are context). {@code messageId} identifies the user's message (the client's, or a new one).
 */
public record TurnRequest(
    String tenant,
    String conversationId,
    String messageId,
    String content,
    String sessionId,
    String useCase,
    Integer maxTokens) {

  /** The same turn under another message id. */
  public TurnRequest withMessageId(String id) {
    return new TurnRequest(tenant, conversationId, id, content, sessionId, useCase, maxTokens);
  }
}
