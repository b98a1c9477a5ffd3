//! Ready-to-paste code for calling a model: curl, Python and Node `openai`, LangChain and
//! environment variables, filled in with the real base URL, key and model, per capability.

use yew::prelude::*;

use crate::components::copy::CopyButton;
use crate::i18n::use_i18n;

/// What a snippet calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Call {
    Chat,
    Completion,
    Embeddings,
    DocumentConversion,
    /// Ranking documents (`/v1/rerank`): no `openai` SDK method, so plain HTTP.
    Rerank,
    /// Speech to text (`/v1/audio/transcriptions`), a file upload.
    Transcription,
}

/// What a snippet is written for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    Curl,
    Python,
    Node,
    LangChain,
    Env,
}

impl Tool {
    /// Every language, in tab order.
    pub const ALL: [Tool; 5] = [
        Tool::Curl,
        Tool::Python,
        Tool::Node,
        Tool::LangChain,
        Tool::Env,
    ];

    /// The tab's label.
    pub fn label(self) -> &'static str {
        match self {
            Tool::Curl => "curl",
            Tool::Python => "Python",
            Tool::Node => "Node.js",
            Tool::LangChain => "LangChain",
            Tool::Env => "env",
        }
    }
}

/// The code calling `model` through `base` (`https://host/v1`) with `key`.
pub fn snippet(lang: Tool, call: Call, base: &str, key: &str, model: &str) -> String {
    let origin = base.strip_suffix("/v1").unwrap_or(base);
    match (lang, call) {
        (Tool::Env, _) => format!("export OPENAI_BASE_URL={base}\nexport OPENAI_API_KEY={key}\n"),
        (Tool::Curl, Call::Chat) => format!(
            "curl {base}/chat/completions \\\n  -H \"Authorization: Bearer {key}\" \\\n  -H \"Content-Type: application/json\" \\\n  -d '{{\"model\": \"{model}\", \"messages\": [{{\"role\": \"user\", \"content\": \"Hello!\"}}]}}'\n"
        ),
        (Tool::Curl, Call::Completion) => format!(
            "curl {base}/completions \\\n  -H \"Authorization: Bearer {key}\" \\\n  -H \"Content-Type: application/json\" \\\n  -d '{{\"model\": \"{model}\", \"prompt\": \"Once upon a time\", \"max_tokens\": 64}}'\n"
        ),
        (Tool::Curl, Call::Embeddings) => format!(
            "curl {base}/embeddings \\\n  -H \"Authorization: Bearer {key}\" \\\n  -H \"Content-Type: application/json\" \\\n  -d '{{\"model\": \"{model}\", \"input\": \"The food was delicious\"}}'\n"
        ),
        (_, Call::DocumentConversion) => format!(
            "curl {origin}/docling/v1/convert/source \\\n  -H \"Authorization: Bearer {key}\" \\\n  -H \"Content-Type: application/json\" \\\n  -d '{{\"sources\": [{{\"kind\": \"http\", \"url\": \"https://arxiv.org/pdf/2408.09869\"}}]}}'\n"
        ),
        (Tool::Python, Call::Rerank) => format!(
            "import requests\n\nreply = requests.post(\n    \"{base}/rerank\",\n    headers={{\"Authorization\": \"Bearer {key}\"}},\n    json={{\"model\": \"{model}\", \"query\": \"What is the capital of France?\", \"documents\": [\"Paris is the capital of France.\", \"Berlin is in Germany.\"]}},\n)\nprint(reply.json()[\"results\"])\n"
        ),
        (Tool::Node, Call::Rerank) => format!(
            "const reply = await fetch(\"{base}/rerank\", {{\n  method: \"POST\",\n  headers: {{ Authorization: \"Bearer {key}\", \"Content-Type\": \"application/json\" }},\n  body: JSON.stringify({{ model: \"{model}\", query: \"What is the capital of France?\", documents: [\"Paris is the capital of France.\", \"Berlin is in Germany.\"] }}),\n}});\nconsole.log((await reply.json()).results);\n"
        ),
        (_, Call::Rerank) => format!(
            "curl {base}/rerank \\\n  -H \"Authorization: Bearer {key}\" \\\n  -H \"Content-Type: application/json\" \\\n  -d '{{\"model\": \"{model}\", \"query\": \"What is the capital of France?\", \"documents\": [\"Paris is the capital of France.\", \"Berlin is in Germany.\"]}}'\n"
        ),
        (Tool::Python, Call::Transcription) => format!(
            "from openai import OpenAI\n\nclient = OpenAI(base_url=\"{base}\", api_key=\"{key}\")\nwith open(\"speech.wav\", \"rb\") as audio:\n    reply = client.audio.transcriptions.create(model=\"{model}\", file=audio)\nprint(reply.text)\n"
        ),
        (Tool::Node, Call::Transcription) => format!(
            "import fs from \"fs\";\nimport OpenAI from \"openai\";\n\nconst client = new OpenAI({{ baseURL: \"{base}\", apiKey: \"{key}\" }});\nconst reply = await client.audio.transcriptions.create({{ model: \"{model}\", file: fs.createReadStream(\"speech.wav\") }});\nconsole.log(reply.text);\n"
        ),
        (_, Call::Transcription) => format!(
            "curl {base}/audio/transcriptions \\\n  -H \"Authorization: Bearer {key}\" \\\n  -F model=\"{model}\" \\\n  -F file=@speech.wav\n"
        ),
        (Tool::Python, call) => {
            let body = match call {
                Call::Chat | Call::DocumentConversion | Call::Rerank | Call::Transcription => {
                    format!(
                        "reply = client.chat.completions.create(\n    model=\"{model}\",\n    messages=[{{\"role\": \"user\", \"content\": \"Hello!\"}}],\n)\nprint(reply.choices[0].message.content)\n"
                    )
                }
                Call::Completion => format!(
                    "reply = client.completions.create(model=\"{model}\", prompt=\"Once upon a time\", max_tokens=64)\nprint(reply.choices[0].text)\n"
                ),
                Call::Embeddings => format!(
                    "reply = client.embeddings.create(model=\"{model}\", input=\"The food was delicious\")\nprint(len(reply.data[0].embedding))\n"
                ),
            };
            format!(
                "from openai import OpenAI\n\nclient = OpenAI(base_url=\"{base}\", api_key=\"{key}\")\n{body}"
            )
        }
        (Tool::Node, call) => {
            let body = match call {
                Call::Chat | Call::DocumentConversion | Call::Rerank | Call::Transcription => {
                    format!(
                        "const reply = await client.chat.completions.create({{\n  model: \"{model}\",\n  messages: [{{ role: \"user\", content: \"Hello!\" }}],\n}});\nconsole.log(reply.choices[0].message.content);\n"
                    )
                }
                Call::Completion => format!(
                    "const reply = await client.completions.create({{ model: \"{model}\", prompt: \"Once upon a time\", max_tokens: 64 }});\nconsole.log(reply.choices[0].text);\n"
                ),
                Call::Embeddings => format!(
                    "const reply = await client.embeddings.create({{ model: \"{model}\", input: \"The food was delicious\" }});\nconsole.log(reply.data[0].embedding.length);\n"
                ),
            };
            format!(
                "import OpenAI from \"openai\";\n\nconst client = new OpenAI({{ baseURL: \"{base}\", apiKey: \"{key}\" }});\n{body}"
            )
        }
        (Tool::LangChain, Call::Embeddings) => format!(
            "from langchain_openai import OpenAIEmbeddings\n\nembeddings = OpenAIEmbeddings(model=\"{model}\", base_url=\"{base}\", api_key=\"{key}\", check_embedding_ctx_length=False)\nprint(len(embeddings.embed_query(\"The food was delicious\")))\n"
        ),
        (Tool::LangChain, _) => format!(
            "from langchain_openai import ChatOpenAI\n\nllm = ChatOpenAI(model=\"{model}\", base_url=\"{base}\", api_key=\"{key}\")\nprint(llm.invoke(\"Hello!\").content)\n"
        ),
    }
}

/// The API base URL of the portal this page was served from.
pub fn api_base() -> String {
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    format!("{origin}/v1")
}

/// Properties of [`Snippets`].
#[derive(Properties, PartialEq)]
pub struct SnippetsProps {
    pub call: Call,
    /// The key to show in the code (or a placeholder such as `$OPENAI_API_KEY`).
    pub secret: AttrValue,
    pub model: AttrValue,
    /// Prefix for element ids.
    pub id: AttrValue,
}

/// Tabs of snippets with a copy button.
#[component]
pub fn Snippets(props: &SnippetsProps) -> Html {
    let i18n = use_i18n();
    let current = use_state(|| Tool::Curl);
    let base = api_base();
    let code = snippet(*current, props.call, &base, &props.secret, &props.model);
    let tabs = Tool::ALL.iter().map(|lang| {
        let selected = *current == *lang;
        let current = current.clone();
        let lang = *lang;
        html! {
            <li class={classes!("pf-v6-c-tabs__item", selected.then_some("pf-m-current"))} role="presentation">
                <button class="pf-v6-c-tabs__link" type="button" role="tab" aria-selected={selected.to_string()}
                    id={format!("{}-tab-{}", props.id, lang.label())}
                    onclick={move |_| current.set(lang)}>
                    <span class="pf-v6-c-tabs__item-text">{ lang.label() }</span>
                </button>
            </li>
        }
    });
    html! {
        <div class="sy-snippets">
            <div class="pf-v6-c-tabs pf-m-box" role="region" aria-label={i18n.t("snippets")}>
                <ul class="pf-v6-c-tabs__list" role="tablist">{ for tabs }</ul>
            </div>
            <div class="sy-code">
                <pre id={format!("{}-code", props.id)} tabindex="0"><code>{ code.clone() }</code></pre>
                <CopyButton text={code} what={i18n.t("snippets")} />
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "https://ai.example.com/v1";

    #[test]
    fn every_snippet_names_the_base_key_and_model() {
        for call in [Call::Chat, Call::Completion, Call::Embeddings, Call::Rerank] {
            for lang in [Tool::Curl, Tool::Python, Tool::Node, Tool::LangChain] {
                let code = snippet(lang, call, BASE, "sk-abc", "granite/8b");
                assert!(
                    code.contains("https://ai.example.com/v1"),
                    "{lang:?} {call:?}"
                );
                assert!(code.contains("sk-abc"), "{lang:?} {call:?}");
                assert!(code.contains("granite/8b"), "{lang:?} {call:?}");
            }
        }
        let env = snippet(Tool::Env, Call::Chat, BASE, "sk-abc", "m");
        assert_eq!(
            env,
            "export OPENAI_BASE_URL=https://ai.example.com/v1\nexport OPENAI_API_KEY=sk-abc\n"
        );
    }

    #[test]
    fn each_capability_calls_its_route() {
        assert!(snippet(Tool::Curl, Call::Chat, BASE, "k", "m").contains("/v1/chat/completions"));
        assert!(snippet(Tool::Curl, Call::Embeddings, BASE, "k", "m").contains("/v1/embeddings"));
        assert!(
            snippet(Tool::Python, Call::Embeddings, BASE, "k", "m").contains("embeddings.create")
        );
        assert!(
            snippet(Tool::Curl, Call::DocumentConversion, BASE, "k", "m")
                .contains("https://ai.example.com/docling/v1/convert/source")
        );
        for lang in [Tool::Curl, Tool::Python, Tool::Node] {
            assert!(
                snippet(lang, Call::Rerank, BASE, "k", "m").contains("/v1/rerank"),
                "{lang:?}"
            );
        }
    }
}
