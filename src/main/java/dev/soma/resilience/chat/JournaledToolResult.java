package dev.soma.resilience.chat;

/**
 * A tool execution's result as a write the journal can hold: its {@link ToolResult#toJson}, stored
 * by {@link Conversations#storeToolResults} with its event, live or replayed. An execution that has
 * a result already is a duplicate: 409 live, "already applied" in a replay.
 */
public final class JournaledToolResult extends JournaledRow<ToolResult> {

  public static final String NAME = "conversation.tool-result";

  public JournaledToolResult(Conversations conversations) {
    super(
        NAME,
        "executionId",
        ToolResult::fromJson,
        conversations::storeToolResults,
        Conversations.DuplicateToolResult.class);
  }
}
