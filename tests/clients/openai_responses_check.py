"""Drives a running Switchyard's Responses API with the official OpenAI Python SDK.

Run by tests/tests/openai_sdk.rs, which starts the server and a mock cluster and passes
SWITCHYARD_URL, SWITCHYARD_KEY and CHAT_MODEL (the mock answers with COMPLETION_TOKENS
tokens). Exits non-zero on the first failed check, saying which.
"""

import os

import openai
from checks import check

BASE = os.environ["SWITCHYARD_URL"] + "/v1"
KEY = os.environ["SWITCHYARD_KEY"]
CHAT = os.environ["CHAT_MODEL"]
TOKENS = int(os.environ["COMPLETION_TOKENS"])

client = openai.OpenAI(base_url=BASE, api_key=KEY, max_retries=0, timeout=30)




response = client.responses.create(
    model=CHAT, instructions="Be brief.", input="Write one line about rivers."
)
check("a response answers", response.output_text.strip() != "", response)
check("a response reports usage", response.usage.output_tokens == TOKENS, response.usage)
check("a response reports input tokens", response.usage.input_tokens > 0, response.usage)

events = list(
    client.responses.create(
        model=CHAT,
        input=[{"role": "user", "content": [{"type": "input_text", "text": "Hello!"}]}],
        stream=True,
    )
)
kinds = [event.type for event in events]
check("a stream starts", kinds[0] == "response.created", kinds)
check("a stream ends completed", kinds[-1] == "response.completed", kinds)
text = "".join(e.delta for e in events if e.type == "response.output_text.delta")
check("a stream streams text", text.strip() != "", text)
check(
    "a stream's completion carries usage",
    events[-1].response.usage.output_tokens == TOKENS,
    events[-1].response.usage,
)

try:
    client.responses.create(model="no-such-model", input="hi")
    check("an unknown model is refused", False, "no error")
except openai.NotFoundError:
    check("an unknown model is refused", True)

print("all Responses API checks passed")
