package dev.soma.resilience.failover.llm;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;

/**
 * A served answer: which provider and model produced it, and the failovers it took to get there
 * (empty when the chain's first link answered).
 *
 * @param usage the provider's token usage, as it reported it, when it did
 */
public record LlmReply(
    String provider,
    String model,
    String content,
    String finishReason,
    List<Failover> failovers,
    Optional<JsonObject> usage) {

  public LlmReply {
    failovers = List.copyOf(failovers);
  }

  public JsonObject toJson() {
    JsonObject json =
        new JsonObject()
            .put("provider", provider)
            .put("model", model)
            .put("content", content)
            .put("finishReason", finishReason)
            .put("failovers", Failover.toJson(failovers));
    usage.ifPresent(u -> json.put("usage", u));
    return json;
  }

  public static LlmReply fromJson(JsonObject json) {
    return new LlmReply(
        json.getString("provider"),
        json.getString("model"),
        json.getString("content"),
        json.getString("finishReason"),
        Failover.listFromJson(json.getJsonArray("failovers")),
        Optional.ofNullable(json.getJsonObject("usage")));
  }
}
