package dev.soma.resilience.cluster;

import dev.soma.resilience.testing.LoadBalancer;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;

/**
 * A steady load of conversation messages: one thread per conversation sends {@code POST
 * /v1/conversations/{id}/messages} through a {@link LoadBalancer}, the next message once the last
 * one was answered and {@link #PAUSE} has passed, so each conversation's messages are accepted in
 * the order they are sent. Each message has a stable id ({@code m-00001}, ...) and an {@code
 * Idempotency-Key} of its own, so a request the load balancer sends again makes no second message.
 */
final class ConversationLoad {

  static final Duration PAUSE = Duration.ofMillis(100);
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  /**
   * One message's request and what came of it: the final answer's status and the node's port, or -1
   * when it got no answer; {@code retries} counts the load balancer's sends to another node; {@code
   * detail} is the answer's body, or why there was none.
   */
  record Sent(
      String conversation, String messageId, int status, int port, int retries, String detail) {

    boolean answered() {
      return status != -1;
    }

    /**
     * Whether the node journaled the message (PostgreSQL out of its reach) rather than wrote it.
     */
    boolean journaled() {
      return status == 202 && detail.contains("\"journaled\"");
    }
  }

  private final LoadBalancer balancer;
  private final String apiKey;
  private final List<Sent> sent = new CopyOnWriteArrayList<>();
  private final List<Thread> senders = new ArrayList<>();
  private volatile boolean running = true;

  private ConversationLoad(LoadBalancer balancer, String apiKey) {
    this.balancer = balancer;
    this.apiKey = apiKey;
  }

  /** Starts sending to {@code conversations} conversations ({@code load-0}, ...) at once. */
  static ConversationLoad start(LoadBalancer balancer, String apiKey, int conversations) {
    ConversationLoad load = new ConversationLoad(balancer, apiKey);
    IntStream.range(0, conversations)
        .forEach(
            i -> {
              Thread sender = new Thread(() -> load.send("load-" + i), "load-" + i);
              load.senders.add(sender);
              sender.start();
            });
    return load;
  }

  /** Stops sending, waits for the last requests' answers; every request sent, in order sent. */
  List<Sent> stop() throws InterruptedException {
    running = false;
    for (Thread sender : senders) {
      sender.join(TIMEOUT.multipliedBy(5).toMillis());
    }
    return List.copyOf(sent);
  }

  private void send(String conversation) {
    for (int n = 1; running; n++) {
      String messageId = String.format("m-%05d", n);
      sent.add(sendOne(conversation, messageId));
      try {
        Thread.sleep(PAUSE.toMillis());
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private Sent sendOne(String conversation, String messageId) {
    String body =
        new JsonObject()
            .put("messageId", messageId)
            .put("content", "message " + messageId + " of " + conversation)
            .encode();
    try {
      LoadBalancer.Answer answer =
          balancer.send(
              node ->
                  HttpRequest.newBuilder(
                          node.resolve("/v1/conversations/" + conversation + "/messages"))
                      .timeout(TIMEOUT)
                      .header("Authorization", "Bearer " + apiKey)
                      .header("Content-Type", "application/json")
                      .header("Idempotency-Key", conversation + "-" + messageId)
                      .POST(HttpRequest.BodyPublishers.ofString(body))
                      .build());
      return new Sent(
          conversation, messageId, answer.status(), answer.port(), answer.retries(), answer.body());
    } catch (Exception e) {
      return new Sent(conversation, messageId, -1, -1, -1, e.toString());
    }
  }
}
