"""Drives a running Switchyard's Anthropic Messages API with the official Anthropic Python SDK.

Run by tests/tests/sdk.rs, which starts the server and a mock cluster and passes
SWITCHYARD_URL, SWITCHYARD_KEY and CHAT_MODEL (the mock answers with COMPLETION_TOKENS
tokens, and calls the first tool of a request that offers tools). Exits non-zero on the
first failed check, saying which.
"""

import os

import anthropic
from checks import check

KEY = os.environ["SWITCHYARD_KEY"]
CHAT = os.environ["CHAT_MODEL"]
TOKENS = int(os.environ["COMPLETION_TOKENS"])

client = anthropic.Anthropic(
    base_url=os.environ["SWITCHYARD_URL"], api_key=KEY, max_retries=0, timeout=30
)

WEATHER = {
    "name": "get_weather",
    "description": "The weather in a city",
    "input_schema": {
        "type": "object",
        "properties": {"input": {"type": "string"}},
        "required": ["input"],
    },
}

# A plain message.
message = client.messages.create(
    model=CHAT,
    max_tokens=64,
    system="Be brief.",
    messages=[{"role": "user", "content": "Write one line about rivers."}],
)
check("a message answers in text", message.content[0].type == "text", message)
check("a message has text", message.content[0].text.strip() != "", message)
check("a message ends its turn", message.stop_reason == "end_turn", message)
check("a message names the model asked for", message.model == CHAT, message)
check("a message reports output tokens", message.usage.output_tokens == TOKENS, message.usage)
check("a message reports input tokens", message.usage.input_tokens > 0, message.usage)

# Streaming, through the SDK's own event accumulation.
with client.messages.stream(
    model=CHAT,
    max_tokens=64,
    messages=[{"role": "user", "content": [{"type": "text", "text": "Hello!"}]}],
) as stream:
    streamed = "".join(stream.text_stream)
    final = stream.get_final_message()
check("a stream streams text", streamed.strip() != "", streamed)
check("a stream's message holds the text", final.content[0].text == streamed, final)
check("a stream ends its turn", final.stop_reason == "end_turn", final)
check("a stream reports output tokens", final.usage.output_tokens == TOKENS, final.usage)
check("a stream reports input tokens", final.usage.input_tokens > 0, final.usage)

raw = list(
    client.messages.create(
        model=CHAT,
        max_tokens=64,
        messages=[{"role": "user", "content": "Hello again"}],
        stream=True,
    )
)
kinds = [event.type for event in raw]
check("raw events start with message_start", kinds[0] == "message_start", kinds)
check("raw events end with message_stop", kinds[-1] == "message_stop", kinds)
check("raw events carry text deltas", "content_block_delta" in kinds, kinds)

# A tool call, answered, then the model's reply to the tool's result.
asked = [{"role": "user", "content": "What is the weather in Oslo?"}]
called = client.messages.create(model=CHAT, max_tokens=64, tools=[WEATHER], messages=asked)
uses = [block for block in called.content if block.type == "tool_use"]
check("a tool call stops for the tool", called.stop_reason == "tool_use", called)
check("a tool call names the tool", uses and uses[0].name == "get_weather", called)
check(
    "a tool call's input is an object",
    uses and uses[0].input == {"input": "What is the weather in Oslo?"},
    called,
)
answered = client.messages.create(
    model=CHAT,
    max_tokens=64,
    tools=[WEATHER],
    messages=asked
    + [
        {"role": "assistant", "content": called.content},
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": uses[0].id, "content": "Rain, 7 °C"}
            ],
        },
    ],
)
check("a tool result gets a text answer", answered.content[0].type == "text", answered)
check("a tool result ends the turn", answered.stop_reason == "end_turn", answered)

# Token counting.
counted = client.messages.count_tokens(
    model=CHAT, messages=[{"role": "user", "content": "one two three four"}]
)
check("tokens are counted", counted.input_tokens >= 4, counted)

# Last, so the test can read what the model server got: a forced tool call, streamed.
with client.messages.stream(
    model=CHAT,
    max_tokens=64,
    tools=[WEATHER],
    tool_choice={"type": "tool", "name": "get_weather"},
    messages=asked,
) as stream:
    final = stream.get_final_message()
streamed_uses = [block for block in final.content if block.type == "tool_use"]
check("a streamed tool call stops for the tool", final.stop_reason == "tool_use", final)
check(
    "a streamed tool call's input is assembled from its pieces",
    streamed_uses and streamed_uses[0].input == {"input": "What is the weather in Oslo?"},
    final,
)

# Errors in Anthropic's shape, raised as the SDK's own exceptions.
try:
    client.messages.create(
        model="no-such-model", max_tokens=8, messages=[{"role": "user", "content": "hi"}]
    )
    check("an unknown model is refused", False, "no error")
except anthropic.NotFoundError as error:
    check("an unknown model is refused", error.body["error"]["type"] == "not_found_error", error.body)
    check("an error carries the request id", error.response.headers.get("request-id"), error.response.headers)

try:
    anthropic.Anthropic(
        base_url=os.environ["SWITCHYARD_URL"], api_key="sk-wrong", max_retries=0
    ).messages.create(model=CHAT, max_tokens=8, messages=[{"role": "user", "content": "hi"}])
    check("a wrong key is refused", False, "no error")
except anthropic.AuthenticationError as error:
    check("a wrong key is refused", error.body["error"]["type"] == "authentication_error", error.body)

try:
    client.messages.create(model=CHAT, max_tokens=8, messages=[{"role": "system", "content": "x"}])
    check("a malformed request is refused", False, "no error")
except anthropic.BadRequestError as error:
    check(
        "a malformed request is refused",
        error.body["error"]["type"] == "invalid_request_error",
        error.body,
    )

print("all Anthropic Messages API checks passed")
