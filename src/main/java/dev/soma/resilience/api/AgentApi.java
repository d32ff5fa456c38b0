package dev.soma.resilience.api;

import dev.soma.resilience.breaker.BreakerOverrides;
import dev.soma.resilience.breaker.BreakerPanel;
import dev.soma.resilience.chat.AgentTurns;
import dev.soma.resilience.chat.Conversations;
import dev.soma.resilience.common.audit.AdminAudit;
import dev.soma.resilience.common.db.LeaseKeeper;
import dev.soma.resilience.config.ApiConfig;
import dev.soma.resilience.config.JournalConfig;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.degradation.DegradationStatusView;
import dev.soma.resilience.failover.storage.UploadSpool;
import dev.soma.resilience.flags.FeatureFlags;
import dev.soma.resilience.flags.FlagBook;
import dev.soma.resilience.idempotency.IdempotentRequests;
import dev.soma.resilience.journal.Journal;
import dev.soma.resilience.journal.JournalKind;
import dev.soma.resilience.journal.JournalReplay;
import dev.soma.resilience.journal.JournaledWrites;
import dev.soma.resilience.memory.MemoryService;
import dev.soma.resilience.outbox.DeadLetters;
import dev.soma.resilience.outbox.JournaledEvent;
import dev.soma.resilience.outbox.Outbox;
import dev.soma.resilience.outbox.OutboxInspection;
import dev.soma.resilience.outbox.OutboxReplay;
import dev.soma.resilience.session.SessionContext;
import dev.soma.resilience.tenant.KeyCache;
import dev.soma.resilience.tenant.RateLimiter;
import dev.soma.resilience.tenant.TenantDirectory;
import dev.soma.resilience.tenant.Tenants;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The agent API's routes: {@code /v1/*} for tenants (API key, rate limit, backlog gate) and {@code
 * /admin/*} for operators. Bodies over {@code maxBodyBytes} get 413; a path or query with a control
 * character gets 400 ({@link RequestHygiene}); a body of the wrong type gets 415 ({@link
 * BodyTypes}), all before authentication.
 *
 * <p>Built once per process by the composition root: everything with state (the rate limiter, the
 * session store, the memory service and its SomaBrain breaker, the status view, the upload spool)
 * exists once and is shared by every HTTP verticle instance; {@link #mount} only adds routes to an
 * instance's router.
 */
public final class AgentApi implements RouteModule {

  private final ApiConfig config;
  private final Tenants tenants;
  private final RateLimiter limiter;
  private final IdempotentRequests requests;
  private final IdempotentCreate create;
  private final ConversationRoutes conversations;
  private final MemoryRoutes memories;
  private final ChatRoutes chat;
  private final ServiceConfig service;
  private final UploadSpool spool;
  private final AdminRoutes admin;
  private final Outbox outbox;

  /** The process's parts the routes share. */
  public record Parts(
      Pool pool,
      LeaseKeeper keeper,
      Outbox outbox,
      SessionContext sessions,
      MemoryService memories,
      DegradationStatusView status,
      BreakerPanel breakers,
      FlagBook flags,
      KeyCache keys,
      Journal journal,
      RateLimiter limiter) {}

  public AgentApi(Vertx vertx, ServiceConfig service, Parts parts, MeterRegistry registry) {
    this.service = service;
    this.config = service.api();
    this.outbox = parts.outbox();
    this.tenants = new Tenants(parts.pool(), parts.keys());
    this.limiter = parts.limiter();
    this.requests = idempotentRequests(parts.pool(), parts.keeper(), service);
    Duration answerTimeout = service.database().answerTimeout();
    this.create =
        new IdempotentCreate(
            parts.pool(), parts.outbox(), requests, parts.journal(), answerTimeout);
    this.conversations =
        new ConversationRoutes(parts.pool(), parts.outbox(), create, parts.sessions());
    this.memories = new MemoryRoutes(parts.memories(), create, parts.sessions());
    JournaledWrites writes =
        new JournaledWrites(
            parts.pool(), Optional.ofNullable(parts.journal()), Clock.systemUTC(), answerTimeout);
    AgentTurns turns =
        new AgentTurns(
            vertx,
            writes,
            parts.outbox(),
            parts.memories(),
            parts.sessions(),
            parts.status(),
            service.llm().deadline());
    this.chat = new ChatRoutes(turns, create, requests, writes, parts.status());
    this.spool =
        new UploadSpool(
            service.storage().spoolDir(), vertx.createSharedWorkerExecutor("upload-spool", 2));
    OutboxReplay replay = new OutboxReplay(parts.pool(), parts.outbox(), service.outbox().replay());
    this.admin =
        new AdminRoutes(
            config.adminToken(),
            new TenantAdminRoutes(tenants, new TenantDirectory(parts.pool())),
            new DeadLetterAdminRoutes(
                new DeadLetters(parts.pool(), parts.outbox(), service.outbox().replay()), replay),
            new OutboxAdminRoutes(
                new OutboxInspection(parts.pool()), replay, new AdminAudit(parts.pool())),
            new BreakerAdminRoutes(vertx, parts.breakers(), new BreakerOverrides(parts.pool())),
            new FlagAdminRoutes(vertx, parts.flags(), new FeatureFlags(parts.pool())),
            registry);
    Gauge.builder("api.status.subscribers", parts.status(), DegradationStatusView::listenerCount)
        .description(
            "Open WebSockets, SSE chat streams and status-page streams that are pushed status changes")
        .strongReference(true)
        .register(registry);
  }

  /**
   * The verticle that replays {@code parts.journal()} into the database with these routes' writes.
   */
  public JournalReplay journalReplay(Parts parts, JournalConfig journal) {
    return new JournalReplay(
        parts.journal(),
        parts.pool(),
        JournalReplay.byName(journalKinds()),
        requests,
        journal.replayInterval(),
        journal.replayBatch());
  }

  private List<JournalKind> journalKinds() {
    List<JournalKind> kinds = new ArrayList<>(conversations.journalKinds());
    kinds.addAll(memories.journalKinds());
    kinds.addAll(eventKinds(outbox));
    return kinds;
  }

  /** The writes that are one outbox event: an upload's queue entry, a degradation event. */
  private static List<JournalKind> eventKinds(Outbox outbox) {
    return List.of(
        new JournaledEvent(JournaledEvent.UPLOAD_QUEUED, outbox),
        new JournaledEvent(JournaledEvent.DEGRADATION, outbox));
  }

  /**
   * A replay of {@code journal} with every write a journal can hold, without the API (for the
   * {@code journal replay} command, and a node that journals only its monitor's events).
   */
  public static JournalReplay journalReplay(
      Pool pool,
      LeaseKeeper keeper,
      Outbox outbox,
      MemoryService memories,
      ServiceConfig service,
      Journal journal,
      Duration interval) {
    List<JournalKind> kinds =
        new ArrayList<>(ConversationRoutes.journalKinds(new Conversations(outbox)));
    kinds.add(new JournaledMemory(memories));
    kinds.addAll(eventKinds(outbox));
    return new JournalReplay(
        journal,
        pool,
        JournalReplay.byName(kinds),
        idempotentRequests(pool, keeper, service),
        interval,
        service.journal().replayBatch());
  }

  private static IdempotentRequests idempotentRequests(
      Pool pool, LeaseKeeper keeper, ServiceConfig service) {
    return new IdempotentRequests(
        pool,
        keeper,
        Duration.ofHours(service.idempotency().retentionHours()),
        service.api().idempotencyAbandonAfter(),
        Clock.systemUTC());
  }

  @Override
  public void mount(Vertx vertx, Router router) {
    BodyHandler bodies = BodyHandler.create(false).setBodyLimit(config.maxBodyBytes());
    BodyHandler media = BodyHandler.create(false).setBodyLimit(config.maxUploadBytes());
    router.routeWithRegex("/v1/uploads/.*").handler(BodyTypes.rawBytes());
    router.routeWithRegex("/v1/transcriptions").handler(BodyTypes.audio());
    router.routeWithRegex("/v1/(?!uploads/|transcriptions$).*").handler(BodyTypes.json());
    router.route("/admin/*").handler(BodyTypes.json());
    router.routeWithRegex("/v1/(uploads/.*|transcriptions)").handler(media);
    router.routeWithRegex("/v1/(?!uploads/|transcriptions$|ws$).*").handler(bodies);
    router.route("/admin/*").handler(bodies);
    router.route("/v1/*").handler(new TenantGate(vertx, tenants, limiter, config.backlogLimit()));
    conversations.mount(router);
    memories.mount(router);
    chat.mount(router);
    new MediaRoutes(vertx, service, spool, create, requests).mount(router);
    admin.mount(router);
  }
}
