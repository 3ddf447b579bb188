"""Audio transcription (POST /v1/audio/transcriptions): sniff the upload, send it to the
provider the model names (Deepgram, AssemblyAI or an OpenAI-compatible whisper endpoint), and
render the transcript in the response_format the caller asked for."""
