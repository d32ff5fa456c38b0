package dev.soma.resilience.failover.audio;

import io.vertx.core.json.JsonObject;
import java.util.Base64;
import java.util.Locale;

/**
 * Audio to transcribe, for one tenant. The audio travels base64-encoded; the verticle refuses audio
 * larger than {@code audio.maxAudioBytes} with failure code {@link AudioAddresses#TOO_LARGE}.
 *
 * @param contentType the audio's media type, e.g. {@code audio/wav}
 * @param fileName the name the multipart upload carries (providers guess the format from it)
 * @param language optional ISO-639-1 hint
 */
public record TranscriptionRequest(
    String tenantId,
    String requestId,
    byte[] audio,
    String contentType,
    String fileName,
    String language) {

  /** Validates; throws {@link IllegalArgumentException} naming the bad field. */
  public TranscriptionRequest {
    MessageFields.requireText("tenantId", tenantId);
    if (audio == null || audio.length == 0) {
      throw new IllegalArgumentException("audio must not be empty");
    }
    MessageFields.requireText("contentType", contentType);
    if (!isAudioType(contentType)) {
      throw new IllegalArgumentException(
          "contentType must be an audio media type, but was '" + contentType + "'");
    }
    fileName = fileName == null || fileName.isBlank() ? "audio" : fileName;
    requestId = requestId == null ? "" : requestId;
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("tenantId", tenantId)
        .put("requestId", requestId)
        .put("audio", Base64.getEncoder().encodeToString(audio))
        .put("contentType", contentType)
        .put("fileName", fileName)
        .put("language", language);
  }

  /** Parses and validates; throws {@link IllegalArgumentException} on a bad message. */
  public static TranscriptionRequest fromJson(JsonObject json) {
    return new TranscriptionRequest(
        MessageFields.string(json, "tenantId"),
        MessageFields.string(json, "requestId"),
        MessageFields.base64(json, "audio"),
        MessageFields.string(json, "contentType"),
        MessageFields.string(json, "fileName"),
        MessageFields.string(json, "language"));
  }

  /**
   * Whether {@code contentType} (any case, parameters allowed) is a type the STT chain takes:
   * {@code audio/<subtype>}, {@code video/<subtype>} or {@code application/octet-stream}.
   */
  public static boolean isAudioType(String contentType) {
    String type = contentType.toLowerCase(Locale.ROOT).split(";", 2)[0].strip();
    return (type.startsWith("audio/") && type.length() > "audio/".length())
        || (type.startsWith("video/") && type.length() > "video/".length())
        || type.equals("application/octet-stream");
  }
}
