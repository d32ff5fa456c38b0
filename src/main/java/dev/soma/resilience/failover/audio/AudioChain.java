package dev.soma.resilience.failover.audio;

import dev.soma.resilience.failover.chain.ChainExhausted;
import dev.soma.resilience.failover.chain.ChainReport;
import dev.soma.resilience.failover.chain.FallbackChain;
import dev.soma.resilience.failover.chain.Link;
import dev.soma.resilience.failover.chain.Served;
import dev.soma.resilience.failover.chain.Walk;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One of the audio chains ({@code tts}, {@code stt}): its providers, walked by a {@link
 * FallbackChain}, and the browser as the last resort when none of them served. A request the
 * providers refused as wrong ({@link #rejected}) is not handed to the browser: it fails as it is.
 * The browser's turn is reported like a provider's, so the chain's figures show who served.
 */
record AudioChain<Q, R>(
    String kind, FallbackChain engine, ChainReport report, List<Link<Q, R>> links) {

  private static final Logger LOG = LoggerFactory.getLogger(AudioChain.class);

  /** The reply of the provider that served {@code request}, else {@code browserReply}. */
  Future<JsonObject> serve(
      Q request, Walk walk, Function<Served<R>, JsonObject> reply, JsonObject browserReply) {
    return engine
        .walk(links, request, walk)
        .map(reply)
        .recover(failure -> lastResort(failure, walk, browserReply));
  }

  private Future<JsonObject> lastResort(Throwable failure, Walk walk, JsonObject browserReply) {
    if (rejected(failure)) {
      return Future.failedFuture(failure);
    }
    LOG.warn(
        "{} for tenant {} request {} falls back to {}: {}",
        kind,
        walk.tenant(),
        walk.context(),
        BrowserDirective.PROVIDER,
        failure.getMessage());
    report.served(FallbackChain.primary(links), BrowserDirective.PROVIDER);
    return Future.succeededFuture(browserReply);
  }

  /** Whether {@code failure} says the caller was wrong (no provider would serve it). */
  static boolean rejected(Throwable failure) {
    return failure instanceof ChainExhausted e && e.why() == ChainExhausted.Why.REJECTED;
  }
}
