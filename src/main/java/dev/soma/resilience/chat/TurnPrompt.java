package dev.soma.resilience.chat;

import dev.soma.resilience.failover.llm.LlmRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * What the language model is told for a turn: a system message (the agent's instructions and, when
 * memory recalled any, what it remembers), the session's recent user and assistant turns in order
 * (other roles are left out), then the user's message. Pure: it reads a {@link TurnContext}'s
 * result and nothing else.
 */
final class TurnPrompt {

  static final String SYSTEM_PROMPT = "You are the Soma agent. Use the context when it helps.";

  private TurnPrompt() {}

  /** The messages for {@code turn}, given its {@code context}. */
  static List<LlmRequest.Message> messages(TurnRequest turn, JsonObject context) {
    List<LlmRequest.Message> messages = new ArrayList<>();
    StringBuilder system = new StringBuilder(SYSTEM_PROMPT);
    JsonArray recalled = context.getJsonArray("memories");
    if (!recalled.isEmpty()) {
      system.append("\nWhat you remember:");
      recalled.forEach(m -> system.append("\n- ").append(describe(m)));
    }
    messages.add(new LlmRequest.Message("system", system.toString()));
    context
        .getJsonArray("session")
        .forEach(
            t -> {
              JsonObject turnJson = (JsonObject) t;
              String role = turnJson.getString("role", "user");
              if (role.equals("user") || role.equals("assistant")) {
                messages.add(new LlmRequest.Message(role, turnJson.getString("content", "")));
              }
            });
    messages.add(new LlmRequest.Message("user", turn.content()));
    return messages;
  }

  private static String describe(Object memory) {
    if (memory instanceof JsonObject json) {
      Object content = json.getValue("content");
      if (content instanceof JsonObject value) {
        return value.getString("content", value.getString("text", value.encode()));
      }
      return String.valueOf(content);
    }
    return String.valueOf(memory);
  }
}
