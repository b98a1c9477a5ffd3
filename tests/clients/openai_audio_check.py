"""Drives a running Switchyard's speech-to-text routes with the official OpenAI Python SDK.

Run by tests/tests/sdk.rs, which starts the server and a mock cluster and passes
SWITCHYARD_URL, SWITCHYARD_KEY and CHAT_MODEL (here the speech model: the mock transcribes
any upload as "transcribed <file name> <size> bytes <prompt>", a second per 32,000 bytes).
Exits non-zero on the first failed check, saying which.
"""

import os

import openai
from checks import check

client = openai.OpenAI(
    base_url=os.environ["SWITCHYARD_URL"] + "/v1",
    api_key=os.environ["SWITCHYARD_KEY"],
    max_retries=0,
    timeout=30,
)
MODEL = os.environ["CHAT_MODEL"]
AUDIO = ("speech.wav", b"RIFF" + bytes(63_996), "audio/wav")

heard = client.audio.transcriptions.create(model=MODEL, file=AUDIO)
check("a transcription answers", heard.text == "transcribed speech.wav 64000 bytes", heard)

hinted = client.audio.transcriptions.create(model=MODEL, file=AUDIO, prompt="Switchyard")
check("a transcription's prompt reaches the model", hinted.text.endswith("Switchyard"), hinted)

text = client.audio.transcriptions.create(model=MODEL, file=AUDIO, response_format="text")
check("a transcription answers plain text", str(text).startswith("transcribed"), text)

verbose = client.audio.transcriptions.create(
    model=MODEL, file=AUDIO, response_format="verbose_json"
)
check("a verbose transcription gives its duration", verbose.duration == 2, verbose)
check("a verbose transcription gives segments", len(verbose.segments) == 1, verbose)

translated = client.audio.translations.create(model=MODEL, file=AUDIO)
check("a translation answers", translated.text.startswith("translated speech.wav"), translated)

try:
    client.audio.transcriptions.create(model="no-such-model", file=AUDIO)
    check("an unknown model is refused", False, "no error")
except openai.NotFoundError:
    check("an unknown model is refused", True)

print("all audio checks passed")
