package dev.soma.resilience.failover.audio;

/**
 * Event-bus addresses of the audio failover chains. Request/reply with JSON bodies; callers must
 * set a send timeout longer than the whole chain (every link's timeout plus slack).
 */
public final class AudioAddresses {

  /** {@link SpeechRequest} in, {@link SpeechReply} out: text to speech. */
  public static final String TTS_SYNTHESIZE = "failover.tts.synthesize";

  /** {@link TranscriptionRequest} in, {@link TranscriptionReply} out: speech to text. */
  public static final String STT_TRANSCRIBE = "failover.stt.transcribe";

  /**
   * Failure code of a reply to a request the caller got wrong (the providers' 400/422 included).
   */
  public static final int CALLER_FAULT = 400;

  /** Failure code of a reply to a request too large for the bus. */
  public static final int TOO_LARGE = 413;

  private AudioAddresses() {}
}
