package dev.soma.resilience.api;

import dev.soma.resilience.cluster.InFlight;
import dev.soma.resilience.common.http.Problem;
import dev.soma.resilience.config.ServiceConfig;
import dev.soma.resilience.failover.audio.AudioAddresses;
import dev.soma.resilience.failover.audio.SpeechRequest;
import dev.soma.resilience.failover.audio.TranscriptionRequest;
import dev.soma.resilience.failover.storage.FetchReply;
import dev.soma.resilience.failover.storage.FetchRequest;
import dev.soma.resilience.failover.storage.ObjectKey;
import dev.soma.resilience.failover.storage.StorageAddresses;
import dev.soma.resilience.failover.storage.StoreReply;
import dev.soma.resilience.failover.storage.StoreRequest;
import dev.soma.resilience.failover.storage.UploadSpool;
import dev.soma.resilience.idempotency.IdempotentRequests;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Uploads, text-to-speech and speech-to-text over HTTP, served by the failover verticles on the
 * event bus. What happened is always in the answer: which provider served, {@code "upload queued"}
 * (202) when no storage link could take the bytes now, {@code "voice in fallback mode"} with a
 * directive for the client's own speech API when no audio provider could answer.
 */
final class MediaRoutes {

  private static final Set<String> SPEECH_FIELDS = Set.of("text", "format");
  private static final Pattern LANGUAGE = Pattern.compile("[a-z]{2,3}(-[A-Za-z]{2}|-[0-9]{3})?");

  private static final Logger LOG = LoggerFactory.getLogger(MediaRoutes.class);

  private final Vertx vertx;
  private final UploadSpool spool;
  private final IdempotentCreate create;
  private final IdempotentRequests requests;
  private final int maxInlineBytes;
  private final DeliveryOptions storageDelivery;
  private final DeliveryOptions audioDelivery;

  MediaRoutes(
      Vertx vertx,
      ServiceConfig config,
      UploadSpool spool,
      IdempotentCreate create,
      IdempotentRequests requests) {
    this.vertx = vertx;
    this.spool = spool;
    this.create = create;
    this.requests = requests;
    this.maxInlineBytes = config.storage().maxInlineBytes();
    this.storageDelivery =
        new DeliveryOptions().setSendTimeout(config.storage().timeout().toMillis() * 3 + 10_000);
    this.audioDelivery =
        new DeliveryOptions().setSendTimeout(config.audio().timeout().toMillis() * 4 + 5_000);
  }

  void mount(Router router) {
    router.put("/v1/uploads/:key").handler(QueryParams.only()).handler(this::upload);
    router.get("/v1/uploads/:key").handler(QueryParams.only()).handler(this::download);
    router.post("/v1/speech").handler(QueryParams.only()).handler(this::speech);
    router
        .post("/v1/transcriptions")
        .handler(QueryParams.only("language"))
        .handler(this::transcribe);
  }

  /**
   * Stores the body. Under an {@code Idempotency-Key} it runs once per key ({@link
   * IdempotentCreate#once}): the request's fingerprint is the SHA-256 of its key, media type and
   * bytes ({@link UploadIdentity}), hashed on a worker; the same request again replays the first
   * answer, another request with the key is 422, and the upload id comes from the key and that
   * fingerprint, so two different uploads never share a queue entry.
   */
  private void upload(RoutingContext ctx) {
    ObjectKey key = key(ctx);
    byte[] bytes = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
    if (bytes.length == 0) {
      throw Problem.badRequest("the upload needs a body");
    }
    String contentType = ctx.request().getHeader("Content-Type");
    String idempotencyKey = ctx.request().getHeader(IdempotencyKey.HEADER);
    if (idempotencyKey == null) {
      store(ctx, key, UploadIdentity.fresh(), contentType, bytes)
          .onSuccess(reply -> IdempotentCreate.send(ctx, reply.status(), reply.body(), false))
          .onFailure(e -> ctx.fail(FailoverProblems.problem(e)));
      return;
    }
    if (IdempotencyKey.malformed(ctx, idempotencyKey)) {
      return;
    }
    vertx
        .executeBlocking(() -> UploadIdentity.fingerprint(key, contentType, bytes), false)
        .onFailure(ctx::fail)
        .onSuccess(
            hash ->
                create.once(
                    ctx,
                    idempotencyKey,
                    hash,
                    e -> ctx.fail(FailoverProblems.problem(e)),
                    () ->
                        store(
                                ctx,
                                key,
                                UploadIdentity.keyed(key, idempotencyKey, hash),
                                contentType,
                                bytes)
                            .compose(reply -> remember(key, idempotencyKey, reply))));
  }

  /** Stores (or queues) the upload through the storage verticle: 201 stored, 202 queued. */
  private Future<IdempotentCreate.Reply> store(
      RoutingContext ctx, ObjectKey key, String uploadId, String contentType, byte[] bytes) {
    Future<StoreRequest> request =
        bytes.length <= maxInlineBytes
            ? Future.succeededFuture(
                new StoreRequest(key, requestId(ctx), uploadId, contentType, bytes, null))
            : spool
                .spill(bytes)
                .map(
                    ref -> new StoreRequest(key, requestId(ctx), uploadId, contentType, null, ref));
    return request
        .compose(
            r ->
                vertx
                    .eventBus()
                    .<JsonObject>request(StorageAddresses.PUT, r.toJson(), storageDelivery))
        .map(reply -> StoreReply.fromJson(reply.body()))
        .map(reply -> new IdempotentCreate.Reply(reply.isQueued() ? 202 : 201, reply.toJson()));
  }

  /**
   * Stores the answer under the key. The upload is stored or queued already: if the record cannot
   * be written the answer still goes out, and the key stays in progress until its holder is gone (a
   * retry meanwhile is 409, then runs again as the same upload: same upload id, same bytes).
   */
  private Future<IdempotentCreate.Reply> remember(
      ObjectKey key, String idempotencyKey, IdempotentCreate.Reply reply) {
    return requests
        .complete(requests.pool(), key.tenantId(), idempotencyKey, reply.status(), reply.body())
        .map(reply)
        .recover(
            e -> {
              LOG.warn(
                  "upload {} for tenant {}: its Idempotency-Key could not be completed: {}",
                  reply.body().getString("uploadId"),
                  key.tenantId(),
                  e.toString());
              return Future.succeededFuture(reply);
            });
  }

  private void download(RoutingContext ctx) {
    ObjectKey key = key(ctx);
    vertx
        .eventBus()
        .<JsonObject>request(
            StorageAddresses.GET, new FetchRequest(key, requestId(ctx)).toJson(), storageDelivery)
        .map(reply -> FetchReply.fromJson(reply.body()))
        .onSuccess(
            reply -> {
              ctx.response()
                  .putHeader("Content-Type", reply.contentType())
                  .putHeader("X-Served-By", reply.provider());
              if (reply.spilled() == null) {
                ctx.response().end(io.vertx.core.buffer.Buffer.buffer(reply.data()));
                return;
              }
              // a large object: sent from the spool file the storage verticle wrote, then deleted
              String file = spool.incoming(reply.spilled()).toString();
              ctx.response().sendFile(file).onComplete(sent -> vertx.fileSystem().delete(file));
            })
        .onFailure(e -> ctx.fail(FailoverProblems.problem(e)));
  }

  private void speech(RoutingContext ctx) {
    JsonBody body = JsonBody.parse(ctx.body().buffer(), SPEECH_FIELDS);
    String text = body.requiredString("text", SpeechRequest.MAX_TEXT);
    String format = body.oneOf("format", Set.of("mp3", "wav", "opus"), "mp3");
    SpeechRequest request = new SpeechRequest(TenantGate.tenant(ctx), requestId(ctx), text, format);
    relay(ctx, AudioAddresses.TTS_SYNTHESIZE, request.toJson());
  }

  private void transcribe(RoutingContext ctx) {
    byte[] audio = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
    if (audio.length == 0) {
      throw Problem.badRequest("the transcription needs the audio as the request body");
    }
    String language = ctx.queryParams().get("language");
    if (language != null && !LANGUAGE.matcher(language).matches()) {
      throw Problem.badRequest(
          "'language' must be a language tag such as 'en' or 'en-US' (ISO 639-1, optional region)");
    }
    String contentType = ctx.request().getHeader("Content-Type");
    TranscriptionRequest request;
    try {
      request =
          new TranscriptionRequest(
              TenantGate.tenant(ctx),
              requestId(ctx),
              audio,
              contentType == null ? "" : contentType,
              null,
              language);
    } catch (IllegalArgumentException e) {
      throw Problem.badRequest(e.getMessage());
    }
    relay(ctx, AudioAddresses.STT_TRANSCRIBE, request.toJson());
  }

  /** Asks the audio chain, on whichever node runs it (asked again if that node dies meanwhile). */
  private void relay(RoutingContext ctx, String address, JsonObject request) {
    InFlight.<JsonObject>request(
            vertx,
            address,
            request,
            audioDelivery,
            Duration.ofMillis(audioDelivery.getSendTimeout()))
        .onSuccess(reply -> ctx.json(reply.body()))
        .onFailure(e -> ctx.fail(FailoverProblems.problem(e)));
  }

  private static ObjectKey key(RoutingContext ctx) {
    try {
      return new ObjectKey(TenantGate.tenant(ctx), ctx.pathParam("key"));
    } catch (IllegalArgumentException e) {
      throw Problem.badRequest(e.getMessage());
    }
  }

  private static String requestId(RoutingContext ctx) {
    String id = ctx.request().getHeader("X-Request-ID");
    return id == null || id.length() > 128 ? UUID.randomUUID().toString() : id;
  }
}
