package dev.soma.resilience.api;

import dev.soma.resilience.common.Blocking;
import io.vertx.core.Vertx;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.openapi.contract.OpenAPIVersion;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code docs/openapi.yaml} as the tests read it (the copy the build packages and the service
 * serves): checked against the OpenAPI 3.1 schema, references resolved, and able to say how a real
 * exchange differs from it.
 *
 * <p>Responses are checked strictly: an object schema that lists {@code properties} is taken as
 * closed (a field the document does not name is a difference), and its {@code required} fields must
 * be there. Vert.x's own {@code ResponseValidator} cannot load this document (it refuses {@code
 * application/problem+json}, {@code text/event-stream}, {@code audio/*} and other media types), so
 * its schema machinery is used directly.
 */
final class OpenApiDocument {

  /** One operation: {@code GET /v1/uploads/{key}}. */
  record Operation(String method, String template, Pattern pattern, JsonObject model) {
    String name() {
      return method + " " + template;
    }
  }

  private final List<Operation> operations;
  private final SchemaRepository repository;

  private OpenApiDocument(List<Operation> operations, SchemaRepository repository) {
    this.operations = operations;
    this.repository = repository;
  }

  /** Loads and checks the packaged document; blocks the (test) thread. */
  static OpenApiDocument load(Vertx vertx) throws Exception {
    JsonObject raw = raw();
    OpenAPIVersion version = OpenAPIVersion.fromContract(raw);
    SchemaRepository repository =
        Blocking.await(version.getRepository(vertx, "app://"), Duration.ofSeconds(30));
    Blocking.await(version.validateContract(vertx, repository, raw), Duration.ofSeconds(30))
        .checkValidity();
    JsonObject resolved =
        Blocking.await(version.resolve(vertx, repository, raw), Duration.ofSeconds(30));
    List<Operation> operations = new ArrayList<>();
    JsonObject paths = resolved.getJsonObject("paths");
    for (String template : paths.fieldNames()) {
      if (!template.startsWith("/")) {
        continue; // the resolver's annotations (__absolute_uri__ and the like)
      }
      JsonObject path = paths.getJsonObject(template);
      for (String method : List.of("get", "put", "post", "delete", "patch", "head", "options")) {
        if (path.containsKey(method)) {
          operations.add(
              new Operation(
                  method.toUpperCase(Locale.ROOT),
                  template,
                  Pattern.compile(template.replaceAll("\\{[^}]+}", "[^/]+")),
                  path.getJsonObject(method)));
        }
      }
    }
    // a literal path wins over a template that also matches it
    operations.sort(Comparator.comparing(o -> o.template().contains("{")));
    return new OpenApiDocument(List.copyOf(operations), repository);
  }

  /** The document as JSON, read from the class path (where the build put docs/openapi.yaml). */
  static JsonObject raw() throws Exception {
    try (InputStream in =
        OpenApiDocument.class.getClassLoader().getResourceAsStream(ApiDocs.DOCUMENT)) {
      Map<String, Object> yaml = new Yaml().load(in);
      return new JsonObject(Json.encode(yaml));
    }
  }

  /** Every operation, literal paths first. */
  List<Operation> operations() {
    return operations;
  }

  /** Every operation, as {@code METHOD /template}. */
  Set<String> operationNames() {
    Set<String> names = new TreeSet<>();
    operations.forEach(o -> names.add(o.name()));
    return names;
  }

  /** The operation a request to {@code path} (no query) with {@code method} is, if documented. */
  Optional<Operation> find(String method, String path) {
    return operations.stream()
        .filter(o -> o.method().equals(method) && o.pattern().matcher(path).matches())
        .findFirst();
  }

  /** How a JSON request body differs from the operation's request schema (empty: it conforms). */
  List<String> requestViolations(Operation operation, Object body) {
    JsonObject schema =
        operation
            .model()
            .getJsonObject("requestBody", new JsonObject())
            .getJsonObject("content", new JsonObject())
            .getJsonObject("application/json", new JsonObject())
            .getJsonObject("schema");
    if (schema == null) {
      return List.of(operation.name() + " has no JSON request schema");
    }
    return errors(operation.name() + " request", schema, body);
  }

  /**
   * How a real response differs from the document (empty: it conforms): the route is documented,
   * the status is listed for it, the media type is one it lists, and a JSON body matches its
   * schema.
   */
  List<String> responseViolations(
      String method, String path, int status, String contentType, String body) {
    Optional<Operation> found = find(method, path);
    if (found.isEmpty()) {
      return List.of(method + " " + path + " is not in the document");
    }
    Operation operation = found.get();
    String at = operation.name() + " -> " + status;
    JsonObject responses = operation.model().getJsonObject("responses");
    JsonObject response =
        responses.getJsonObject(Integer.toString(status), responses.getJsonObject("default"));
    if (response == null) {
      return List.of(at + ": the status is not listed for this operation");
    }
    JsonObject content = response.getJsonObject("content", new JsonObject());
    boolean hasBody = body != null && !body.isEmpty();
    if (content.isEmpty()) {
      return hasBody
          ? List.of(at + ": a body (" + contentType + ") the document does not describe")
          : List.of();
    }
    String type = mediaType(contentType);
    Optional<String> declared =
        content.fieldNames().stream().filter(d -> matches(d, type)).findFirst();
    if (declared.isEmpty()) {
      return List.of(
          at + ": Content-Type " + contentType + " is not among " + content.fieldNames());
    }
    JsonObject schema = content.getJsonObject(declared.get()).getJsonObject("schema");
    if (!(type.equals("application/json") || type.endsWith("+json")) || schema == null) {
      return List.of();
    }
    Object json;
    try {
      json = Json.decodeValue(body);
    } catch (RuntimeException e) {
      return List.of(at + ": the body is not JSON: " + body);
    }
    return errors(at, closed(schema.copy()), json);
  }

  private List<String> errors(String at, JsonObject schema, Object value) {
    OutputUnit result =
        repository
            .validator(
                JsonSchema.of(schema),
                new JsonSchemaOptions()
                    .setBaseUri("app://")
                    .setDraft(Draft.DRAFT202012)
                    .setOutputFormat(OutputFormat.Basic))
            .validate(value);
    if (Boolean.TRUE.equals(result.getValid())) {
      return List.of();
    }
    List<String> errors = new ArrayList<>();
    List<OutputUnit> units = result.getErrors() == null ? List.of(result) : result.getErrors();
    for (OutputUnit unit : units) {
      errors.add(
          at
              + ": "
              + unit.getInstanceLocation()
              + " "
              + unit.getError()
              + " (schema "
              + unit.getKeywordLocation()
              + ") in "
              + Json.encode(value));
    }
    return errors;
  }

  /** The schema with every object that lists properties closed to others. */
  private static JsonObject closed(JsonObject schema) {
    if (schema.containsKey("properties")
        && !schema.containsKey("additionalProperties")
        && !schema.containsKey("patternProperties")) {
      schema.put("additionalProperties", false);
    }
    for (String key : schema.fieldNames()) {
      Object value = schema.getValue(key);
      if (key.equals("properties") && value instanceof JsonObject properties) {
        properties.fieldNames().forEach(p -> closeIfSchema(properties.getValue(p)));
      } else if (value instanceof JsonArray list
          && Set.of("oneOf", "anyOf", "allOf", "prefixItems").contains(key)) {
        list.forEach(OpenApiDocument::closeIfSchema);
      } else if (Set.of("items", "additionalProperties", "not").contains(key)) {
        closeIfSchema(value);
      }
    }
    return schema;
  }

  private static void closeIfSchema(Object value) {
    if (value instanceof JsonObject object) {
      closed(object);
    }
  }

  private static String mediaType(String contentType) {
    if (contentType == null) {
      return "";
    }
    int semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
        .trim()
        .toLowerCase(Locale.ROOT);
  }

  private static boolean matches(String declared, String type) {
    if (declared.equals("*/*") || declared.equals(type)) {
      return true;
    }
    return declared.endsWith("/*") && type.startsWith(declared.substring(0, declared.length() - 1));
  }
}
