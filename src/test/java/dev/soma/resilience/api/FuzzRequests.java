package dev.soma.resilience.api;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.stream.Collectors;

/**
 * Malformed requests for every operation of docs/openapi.yaml, drawn from one seed (the same seed
 * gives the same requests). Every request is meant to be refused: nothing it carries may be
 * written. Tenant requests use the fuzz tenant's key; admin requests name tenants, keys and dead
 * letters that do not exist, so even a wrongly accepted one has nothing to write to. Operations
 * that answer only with an open-ended stream ({@code GET /status/events}) are left out: a request
 * the stream accepts never ends, so it has no answer to judge (StatusEventsIT covers it).
 */
final class FuzzRequests {

  private static final String JSON = "application/json";

  /** A valid body per JSON operation (each mutation below makes it invalid in one way). */
  private static final Map<String, String> BASES =
      Map.ofEntries(
          Map.entry(
              "POST /v1/conversations/{conversationId}/messages",
              "{\"messageId\":\"m-1\",\"role\":\"user\",\"content\":\"hello\","
                  + "\"metadata\":{\"a\":\"b\"},\"sessionId\":\"s-1\"}"),
          Map.entry(
              "POST /v1/conversations/{conversationId}/tool-results",
              "{\"executionId\":\"x-1\",\"toolName\":\"search\",\"status\":\"succeeded\","
                  + "\"result\":{\"hits\":\"3\"}}"),
          Map.entry(
              "POST /v1/chat",
              "{\"conversationId\":\"c-1\",\"message\":\"hi\",\"messageId\":\"m-2\","
                  + "\"sessionId\":\"s-1\",\"useCase\":\"chat\",\"maxTokens\":16,\"stream\":false}"),
          Map.entry(
              "POST /v1/memories",
              "{\"key\":\"k-1\",\"namespace\":\"notes\",\"value\":{\"fact\":\"sky\"},"
                  + "\"meta\":{\"by\":\"fuzz\"},\"mode\":\"auto\"}"),
          Map.entry(
              "POST /v1/memories/recall",
              "{\"query\":\"sky\",\"topK\":5,\"namespace\":\"notes\",\"sessionId\":\"s-1\"}"),
          Map.entry("POST /v1/speech", "{\"text\":\"hello\",\"format\":\"mp3\"}"),
          Map.entry("POST /admin/tenants", "{\"id\":\"fuzz-new\",\"name\":\"F\"}"),
          Map.entry("POST /admin/tenants/{tenantId}/keys", "{\"label\":\"x\"}"),
          Map.entry("POST /admin/dead-letters/{id}/replay", "{\"notes\":\"x\"}"),
          Map.entry(
              "PUT /admin/flags/{name}",
              "{\"allow\":[\"fuzz\"],\"deny\":[],\"percentage\":5,\"reason\":\"x\"}"),
          Map.entry(
              "POST /admin/dead-letters/replay",
              "{\"tenant\":\"no-such-tenant\",\"dryRun\":true,\"reason\":\"x\"}"),
          Map.entry(
              "POST /admin/dead-letters/resolve",
              "{\"tenant\":\"no-such-tenant\",\"dryRun\":true,\"reason\":\"x\"}"));

  /** Path parameter values that exist nowhere (valid in shape). */
  private static final Map<String, String> ABSENT =
      Map.of(
          "conversationId", "c-fuzz",
          "key", "fuzz..bad/..",
          "tenantId", "no-such-tenant",
          "keyId", "0000000000000000",
          "id", "999999999",
          "dependency", "no-such-dependency",
          "name", "no.such-flag",
          "asset", "nothing.js");

  private static final String[] TRAVERSALS = {
    "..%2F..%2F..%2Fetc%2Fpasswd",
    "..%5C..%5Cwindows",
    "%2e%2e%2f%2e%2e%2f",
    "%252e%252e%252f",
    "..%2f",
    "a%2F..%2F..%2Fb",
    "%2e%2e%5c",
    "..%00",
    "%C0%AE%C0%AE%2F",
    "~%2F.ssh"
  };

  private static final String[] WRONG_VALUES = {
    "42",
    "-1",
    "1.5",
    "true",
    "false",
    "null",
    "[]",
    "{}",
    "\"\"",
    "\"   \"",
    "[1,2]",
    "{\"a\":1}",
    "\"x\"",
    "1e400",
    "-9223372036854775809",
    "\"has space\"",
    "\"nope\""
  };

  private static final String[] WRONG_TYPES = {
    "text/plain",
    "application/xml",
    "application/x-www-form-urlencoded",
    "text/json",
    "application/json-patch+json",
    "image/png",
    "application/octet-stream",
    null
  };

  private final Random random;
  private final OpenApiDocument document;
  private final String tenantKey;
  private final String adminToken;
  private final List<OpenApiDocument.Operation> operations;
  private final List<Map.Entry<String, BiFunction<OpenApiDocument.Operation, Integer, FuzzCase>>>
      kinds = new ArrayList<>();

  FuzzRequests(long seed, OpenApiDocument document, String tenantKey, String adminToken) {
    this.random = new Random(seed);
    this.document = document;
    this.tenantKey = tenantKey;
    this.adminToken = adminToken;
    this.operations = document.operations().stream().filter(op -> !onlyStreams(op)).toList();
    kinds.add(Map.entry("bad-json", this::badJson));
    kinds.add(Map.entry("wrong-type", this::wrongType));
    kinds.add(Map.entry("nul", this::nul));
    kinds.add(Map.entry("surrogate", this::surrogate));
    kinds.add(Map.entry("huge", this::huge));
    kinds.add(Map.entry("traversal", this::traversal));
    kinds.add(Map.entry("wrong-method", this::wrongMethod));
    kinds.add(Map.entry("wrong-content-type", this::wrongContentType));
    kinds.add(Map.entry("multipart", this::multipart));
    kinds.add(Map.entry("bad-auth", this::badAuth));
    kinds.add(Map.entry("broken-upgrade", (op, i) -> brokenUpgrade(i)));
    kinds.add(Map.entry("oversized", (op, i) -> oversized(i)));
  }

  /** Whether the operation's success is a stream of server-sent events and nothing else. */
  private static boolean onlyStreams(OpenApiDocument.Operation op) {
    JsonObject ok = op.model().getJsonObject("responses", new JsonObject()).getJsonObject("200");
    JsonObject content = ok == null ? null : ok.getJsonObject("content");
    // the resolver adds annotations of its own beside the media types: only those with a '/'
    return content != null
        && content.fieldNames().stream()
            .filter(name -> name.contains("/"))
            .collect(Collectors.toSet())
            .equals(Set.of("text/event-stream"));
  }

  /** {@code n} requests, the kinds in turn, each on a random operation of the document. */
  List<FuzzCase> generate(int n) {
    List<FuzzCase> cases = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      var kind = kinds.get(i % kinds.size());
      cases.add(kind.getValue().apply(operations.get(random.nextInt(operations.size())), i));
    }
    return cases;
  }

  // --- the kinds

  private FuzzCase badJson(OpenApiDocument.Operation op, int i) {
    String base = base(op);
    if (base == null) {
      return traversal(op, i);
    }
    for (int attempt = 0; attempt < 50; attempt++) {
      String body = mutate(base);
      if (invalid(op, body)) {
        return json("bad-json", op, body, JSON);
      }
    }
    return json("bad-json", op, base + "}", JSON);
  }

  private FuzzCase wrongType(OpenApiDocument.Operation op, int i) {
    String base = base(op);
    if (base == null) {
      return nul(op, i);
    }
    JsonObject object = new JsonObject(base);
    List<String> fields = new ArrayList<>(object.fieldNames());
    for (int attempt = 0; attempt < 50; attempt++) {
      Map<String, String> raw = new LinkedHashMap<>();
      fields.forEach(f -> raw.put(f, Json.encode(object.getValue(f))));
      switch (random.nextInt(3)) {
        case 0 -> raw.put(pick(fields), pick(WRONG_VALUES));
        case 1 -> raw.remove(pick(fields));
        default ->
            raw.put(pick(new String[] {"tenant", "tenantId", "__proto__", "x", "type"}), "1");
      }
      String body = objectOf(raw);
      if (invalid(op, body)) {
        FuzzCase c = json("wrong-type", op, body, JSON);
        if (random.nextBoolean() && op.method().equals("POST")) {
          return withHeader(c, "Idempotency-Key", "fuzz-" + random.nextInt(20));
        }
        return c;
      }
    }
    return json("wrong-type", op, "[]", JSON);
  }

  private FuzzCase nul(OpenApiDocument.Operation op, int i) {
    return poisoned("nul", op, new String[] {"\\u0000", "a\\u0000b", "\\u0000\\u0000"}, "%00");
  }

  private FuzzCase surrogate(OpenApiDocument.Operation op, int i) {
    return poisoned(
        "surrogate",
        op,
        new String[] {"\\ud800", "a\\udfffb", "\\udbff\\u0041", "x\\ud83d"},
        pick(new String[] {"%ED%A0%80", "%FF%FE", "%C0%80"}));
  }

  /** A string value (or a path or query value) carrying {@code jsonEscapes} / {@code inPath}. */
  private FuzzCase poisoned(
      String kind, OpenApiDocument.Operation op, String[] jsonEscapes, String inPath) {
    String base = base(op);
    if (base == null || random.nextInt(4) == 0) {
      String uri =
          op.template().contains("{")
              ? path(op, name -> "x" + inPath + "y")
              : path(op, ABSENT::get)
                  + pick(new String[] {"?language=", "?tenant=", "?all="})
                  + inPath;
      return request(kind, op, uri, bodyFor(op), contentTypeFor(op));
    }
    JsonObject object = new JsonObject(base);
    Map<String, String> raw = new LinkedHashMap<>();
    object.fieldNames().forEach(f -> raw.put(f, Json.encode(object.getValue(f))));
    String poison = pick(jsonEscapes);
    List<String> strings =
        object.fieldNames().stream().filter(f -> object.getValue(f) instanceof String).toList();
    List<String> nested =
        object.fieldNames().stream().filter(f -> object.getValue(f) instanceof JsonObject).toList();
    if (!nested.isEmpty() && random.nextInt(3) == 0) {
      raw.put(
          pick(nested),
          random.nextBoolean() ? "{\"k\":\"" + poison + "\"}" : "{\"" + poison + "\":1}");
    } else {
      String field = pick(strings);
      raw.put(field, "\"" + Json.encode(object.getString(field)).replace("\"", "") + poison + "\"");
    }
    return json(kind, op, objectOf(raw), JSON);
  }

  private FuzzCase huge(OpenApiDocument.Operation op, int i) {
    String base = base(op);
    if (base == null) {
      String uri = path(op, name -> "k".repeat(300 + random.nextInt(2000)));
      return request("huge", op, uri, bodyFor(op), contentTypeFor(op));
    }
    JsonObject object = new JsonObject(base);
    Map<String, String> raw = new LinkedHashMap<>();
    object.fieldNames().forEach(f -> raw.put(f, Json.encode(object.getValue(f))));
    String field = pick(new ArrayList<>(object.fieldNames()));
    String body =
        switch (random.nextInt(6)) {
          case 0 -> objectOf(put(raw, field, "\"" + "x".repeat(40_000) + "\""));
          case 1 -> objectOf(put(raw, field, "\"" + "y".repeat(70_000) + "\""));
          case 2 -> objectOf(put(raw, field, "[".repeat(3000) + "]".repeat(3000)));
          case 3 -> objectOf(put(raw, field, "9".repeat(5000)));
          case 4 -> objectOf(put(raw, field, "{" + manyFields(3000) + "}"));
          default -> objectOf(put(raw, field, "\"" + "\\u00e9".repeat(9000) + "\""));
        };
    if (!invalid(op, body)) {
      // a large value the document allows (3000 fields in an open object, 9000 characters of
      // text): make it too large for the body limit instead, so the request is still refused
      body = objectOf(put(raw, field, "\"" + "z".repeat(70_000) + "\""));
    }
    return json("huge", op, body, JSON);
  }

  private FuzzCase traversal(OpenApiDocument.Operation op, int i) {
    if (!op.template().contains("{")) {
      return wrongMethod(op, i);
    }
    String uri = path(op, name -> pick(TRAVERSALS));
    return request("traversal", op, uri, bodyFor(op), contentTypeFor(op));
  }

  private FuzzCase wrongMethod(OpenApiDocument.Operation op, int i) {
    List<String> others =
        new ArrayList<>(List.of("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"));
    others.add("PROPFIND");
    for (OpenApiDocument.Operation other : operations) {
      if (other.template().equals(op.template())) {
        others.remove(other.method());
      }
    }
    String method = pick(others.toArray(String[]::new));
    List<Map.Entry<String, String>> headers = new ArrayList<>(auth(op));
    headers.add(Map.entry("Content-Type", JSON));
    return FuzzCase.http(
        "wrong-method", method, path(op, ABSENT::get), headers, Buffer.buffer("{\"a\":1}"));
  }

  private FuzzCase wrongContentType(OpenApiDocument.Operation op, int i) {
    String base = base(op);
    if (base == null) {
      return multipart(op, i);
    }
    String body = unique(base, i);
    return json("wrong-content-type", op, body, pick(WRONG_TYPES));
  }

  private FuzzCase multipart(OpenApiDocument.Operation op, int i) {
    String boundary = "fuzz" + random.nextInt(1_000_000);
    String field = "x".repeat(random.nextBoolean() ? 10 : 1_000 + random.nextInt(60_000));
    String body =
        "--"
            + boundary
            + "\r\n"
            + "Content-Disposition: form-data; name=\"content\"\r\n\r\n"
            + field
            + "\r\n"
            + "--"
            + boundary
            + "\r\n"
            + "Content-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n"
            + "Content-Type: text/plain\r\n\r\nhello\r\n"
            + "--"
            + boundary
            + "--\r\n";
    String uri = path(op, name -> name.equals("key") ? "..%2Fmultipart" : ABSENT.get(name));
    List<Map.Entry<String, String>> headers =
        new ArrayList<>(random.nextInt(3) == 0 ? List.of() : auth(op));
    headers.add(Map.entry("Content-Type", "multipart/form-data; boundary=" + boundary));
    String method =
        op.method().equals("GET") || op.method().equals("DELETE") ? "POST" : op.method();
    return FuzzCase.http("multipart", method, uri, headers, Buffer.buffer(body));
  }

  private FuzzCase badAuth(OpenApiDocument.Operation op, int i) {
    String base = base(op);
    String credential =
        pick(
            new String[] {
              "Bearer",
              "Bearer ",
              "Basic Zm9vOmJhcg==",
              "Bearer soma_x_y",
              "bearer  " + "a".repeat(5000),
              "Bearer soma_0000000000000000_" + "A".repeat(43),
              "Bearer " + adminToken,
              "Bearer " + tenantKey + "x",
              "Token " + tenantKey
            });
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    headers.add(Map.entry("Authorization", credential));
    headers.add(Map.entry("Content-Type", contentTypeFor(op)));
    String body = base == null ? "audio" : unique(base, i);
    String uri = path(op, name -> name.equals("key") ? "fuzz-auth-" + i : ABSENT.get(name));
    if (op.template().startsWith("/admin") && credential.equals("Bearer " + adminToken)) {
      headers.set(0, Map.entry("Authorization", "Bearer " + tenantKey));
    }
    if (!op.template().startsWith("/v1/") && !op.template().startsWith("/admin")) {
      return wrongMethod(op, i); // public routes take no credential at all
    }
    return FuzzCase.http("bad-auth", op.method(), uri, headers, Buffer.buffer(body));
  }

  private FuzzCase brokenUpgrade(int i) {
    String auth = "Authorization: Bearer " + tenantKey + "\r\n";
    String[] variants = {
      "GET /v1/ws HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n",
      "GET /v1/ws HTTP/1.1\r\nHost: x\r\n" + auth + "Connection: Upgrade\r\n\r\n",
      "GET /v1/ws HTTP/1.1\r\nHost: x\r\n"
          + auth
          + "Upgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
      "GET /v1/ws HTTP/1.1\r\nHost: x\r\n"
          + auth
          + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          + "Sec-WebSocket-Version: 99\r\n\r\n",
      "GET /v1/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
      "GET /v1/ws HTTP/1.1\r\nHost: x\r\n" + auth + "Upgrade: h2c\r\nConnection: Upgrade\r\n\r\n",
      "POST /v1/ws HTTP/1.1\r\nHost: x\r\n"
          + auth
          + "Upgrade: websocket\r\nConnection: Upgrade\r\nContent-Length: 0\r\n\r\n",
      "GET /v1/chat HTTP/1.1\r\nHost: x\r\n"
          + auth
          + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          + "Sec-WebSocket-Version: 13\r\n\r\n",
      "GET /health/live HTTP/1.1\r\nHost: x\r\n"
          + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n"
    };
    String text = variants[random.nextInt(variants.length)];
    String line = text.substring(0, text.indexOf("\r\n"));
    return FuzzCase.raw(
        "broken-upgrade", line.split(" ")[0], line.split(" ")[1], Buffer.buffer(text));
  }

  private FuzzCase oversized(int i) {
    String auth = "Authorization: Bearer " + tenantKey + "\r\n";
    String text =
        switch (random.nextInt(7)) {
          case 0 ->
              "GET /v1/conversations/"
                  + "a".repeat(5_000 + random.nextInt(20_000))
                  + "/messages HTTP/1.1\r\nHost: x\r\n"
                  + auth
                  + "\r\n";
          case 1 -> "GET /health/live?q=" + "b".repeat(9_000) + " HTTP/1.1\r\nHost: x\r\n\r\n";
          case 2 ->
              "GET /v1/status HTTP/1.1\r\nHost: x\r\nX-Big: " + "c".repeat(20_000) + "\r\n\r\n";
          case 3 ->
              "GET /v1/status HTTP/1.1\r\nHost: x\r\n" + "X-Many: d\r\n".repeat(2_000) + "\r\n";
          case 4 -> "GET /v1/status HTTP/1.1\r\nHost: x\r\nX-Ctl: a\u0001b\r\n\r\n";
          case 5 -> "GET /v1/status HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n";
          default ->
              "POST /v1/chat HTTP/1.1\r\nHost: x\r\n"
                  + auth
                  + "Content-Type: application/json\r\nContent-Length: 10\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
        };
    String line = text.substring(0, Math.min(text.indexOf(' ', 5), 80));
    return FuzzCase.raw(
        "oversized", line.split(" ")[0], line.split(" ", 2)[1], Buffer.buffer(text));
  }

  // --- building blocks

  private String base(OpenApiDocument.Operation op) {
    return BASES.get(op.name());
  }

  private FuzzCase json(String kind, OpenApiDocument.Operation op, String body, String type) {
    return request(kind, op, path(op, ABSENT::get), body, type);
  }

  private FuzzCase request(
      String kind, OpenApiDocument.Operation op, String uri, String body, String contentType) {
    List<Map.Entry<String, String>> headers = new ArrayList<>(auth(op));
    if (contentType != null && body != null) {
      headers.add(Map.entry("Content-Type", contentType));
    }
    return FuzzCase.http(
        kind, op.method(), uri, headers, body == null ? null : Buffer.buffer(body, "UTF-8"));
  }

  private static FuzzCase withHeader(FuzzCase c, String name, String value) {
    List<Map.Entry<String, String>> headers = new ArrayList<>(c.headers());
    headers.add(Map.entry(name, value));
    return FuzzCase.http(c.kind(), c.method(), c.uri(), headers, c.body());
  }

  private List<Map.Entry<String, String>> auth(OpenApiDocument.Operation op) {
    if (op.template().startsWith("/admin")) {
      return List.of(
          Map.entry("Authorization", "Bearer " + adminToken), Map.entry("X-Operator", "fuzz"));
    }
    if (op.template().startsWith("/v1/") && !op.template().equals("/v1/status")) {
      return List.of(Map.entry("Authorization", "Bearer " + tenantKey));
    }
    return List.of();
  }

  /** A body for a request whose malformation is elsewhere (the path): valid where one is needed. */
  private String bodyFor(OpenApiDocument.Operation op) {
    if (!op.model().containsKey("requestBody")) {
      return null;
    }
    String base = base(op);
    return base != null ? unique(base, random.nextInt()) : "audio-or-upload-bytes";
  }

  private String contentTypeFor(OpenApiDocument.Operation op) {
    if (op.template().equals("/v1/transcriptions")) {
      return "audio/wav";
    }
    return op.template().startsWith("/v1/uploads") ? "text/plain" : JSON;
  }

  private static String path(
      OpenApiDocument.Operation op, java.util.function.Function<String, String> value) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\\{([^}]+)}").matcher(op.template());
    StringBuilder s = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(s, java.util.regex.Matcher.quoteReplacement(value.apply(m.group(1))));
    }
    return m.appendTail(s).toString();
  }

  /** The base with its ids made unique, so an accepted one would be a new write, not a 409. */
  private static String unique(String base, int i) {
    return base.replace("\"m-1\"", "\"m-" + i + "\"")
        .replace("\"m-2\"", "\"m2-" + i + "\"")
        .replace("\"x-1\"", "\"x-" + i + "\"")
        .replace("\"k-1\"", "\"k-" + i + "\"")
        .replace("\"fuzz-new\"", "\"fuzz-new-" + Math.abs(i) + "\"");
  }

  private String mutate(String body) {
    StringBuilder s = new StringBuilder(body);
    int edits = 1 + random.nextInt(4);
    for (int e = 0; e < edits; e++) {
      int at = random.nextInt(s.length() + 1);
      switch (random.nextInt(5)) {
        case 0 -> s.insert(at, "{}[]\",:\\ '".charAt(random.nextInt(10)));
        case 1 -> {
          if (at < s.length()) {
            s.deleteCharAt(at);
          }
        }
        case 2 -> s.setLength(Math.min(s.length(), at));
        case 3 -> s.insert(at, pick(new String[] {"/*c*/", "NaN", "undefined", "\\x00", ",,"}));
        default -> s.append(pick(new String[] {"}", "garbage", "{\"a\":1}", "\u0000"}));
      }
    }
    return s.toString();
  }

  /** Whether the document says {@code body} is not a valid request body of {@code op}. */
  private boolean invalid(OpenApiDocument.Operation op, String body) {
    try {
      return !document.requestViolations(op, decodeOrNull(body)).isEmpty();
    } catch (RuntimeException e) {
      return true; // a value the validator cannot even take (1e400 and the like)
    }
  }

  private static Object decodeOrNull(String body) {
    try {
      return Json.decodeValue(body);
    } catch (RuntimeException e) {
      return null; // not JSON at all: invalid by any schema
    }
  }

  private static String objectOf(Map<String, String> raw) {
    StringBuilder s = new StringBuilder("{");
    raw.forEach(
        (k, v) -> {
          if (s.length() > 1) {
            s.append(',');
          }
          s.append('"').append(k).append("\":").append(v);
        });
    return s.append('}').toString();
  }

  private static Map<String, String> put(Map<String, String> raw, String field, String value) {
    raw.put(field, value);
    return raw;
  }

  private static String manyFields(int n) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < n; i++) {
      s.append(i == 0 ? "" : ",").append("\"f").append(i).append("\":").append(i);
    }
    return s.toString();
  }

  private String pick(String[] values) {
    return values[random.nextInt(values.length)];
  }

  private String pick(List<String> values) {
    return values.get(random.nextInt(values.size()));
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
