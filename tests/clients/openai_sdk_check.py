"""Drives a running Switchyard with the official OpenAI Python SDK, as users' code does.

Run by tests/tests/openai_sdk.rs, which starts the server and mock clusters and passes
SWITCHYARD_URL, SWITCHYARD_KEY, CHAT_MODEL and EMBED_MODEL. Exits non-zero on the first
failed check, saying which.
"""

import os

import openai
from checks import check

BASE = os.environ["SWITCHYARD_URL"] + "/v1"
KEY = os.environ["SWITCHYARD_KEY"]
CHAT = os.environ["CHAT_MODEL"]
EMBED = os.environ["EMBED_MODEL"]
MESSAGES = [{"role": "user", "content": "say something short"}]

client = openai.OpenAI(base_url=BASE, api_key=KEY, max_retries=0, timeout=30)




def expect_error(name, cls, call):
    try:
        call()
    except cls as error:
        check(name, True)
        return error
    except Exception as error:  # noqa: BLE001 - report what was raised instead
        check(name, False, f"raised {type(error).__name__}: {error}")
    check(name, False, "raised nothing")


completion = client.chat.completions.create(model=CHAT, messages=MESSAGES)
check("chat answers", bool(completion.choices[0].message.content))
check("chat reports usage", completion.usage.completion_tokens == 4, completion.usage)

chunks = list(
    client.chat.completions.create(
        model=CHAT, messages=MESSAGES, stream=True, stream_options={"include_usage": True}
    )
)
text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
check("streaming chat streams text", text.strip() != "", text)
check("streaming chat ends with usage", chunks[-1].usage is not None, chunks[-1])
check("usage counts the tokens", chunks[-1].usage.completion_tokens == 4, chunks[-1].usage)

plain = list(client.chat.completions.create(model=CHAT, messages=MESSAGES, stream=True))
check("usage only when asked", all(c.usage is None for c in plain))

embeddings = client.embeddings.create(model=EMBED, input=["one", "two"])
check("embeddings", len(embeddings.data) == 2 and len(embeddings.data[0].embedding) == 8)

ids = sorted(m.id for m in client.models.list())
check("models.list()", ids == sorted([CHAT, EMBED, "broken"]), ids)

bad_key = openai.OpenAI(base_url=BASE, api_key="sk-wrong", max_retries=0)
expect_error("401 raises AuthenticationError", openai.AuthenticationError,
             lambda: bad_key.chat.completions.create(model=CHAT, messages=MESSAGES))
expect_error("404 raises NotFoundError", openai.NotFoundError,
             lambda: client.chat.completions.create(model="no-such-model", messages=MESSAGES))
expect_error("400 raises BadRequestError", openai.BadRequestError,
             lambda: client.chat.completions.create(model=None, messages=MESSAGES))
error = expect_error("413 raises APIStatusError", openai.APIStatusError,
                     lambda: client.chat.completions.create(
                         model=CHAT, messages=[{"role": "user", "content": "x" * 200_000}]))
check("413 status", error.status_code == 413, error.status_code)
expect_error("upstream failure raises InternalServerError", openai.InternalServerError,
             lambda: client.chat.completions.create(model="broken", messages=MESSAGES))
print("all OpenAI SDK checks passed")
