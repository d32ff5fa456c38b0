package dev.soma.resilience.failover.llm.internal;

import io.vertx.core.json.JsonObject;
import java.util.Optional;

/**
 * A provider's complete, well-formed answer. A stream yields one only after its terminator.
 *
 * @param model the model that answered, as the provider names it
 * @param finishReason the provider's own word for why it stopped ({@code stop}, {@code end_turn},
 *     {@code length}, ...)
 * @param usage token counts as the provider reported them
 */
public record Completion(
    String model, String content, String finishReason, Optional<JsonObject> usage) {}
