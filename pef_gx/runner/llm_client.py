"""The optional language model behind `pef-gx ask`: an OpenAI-compatible chat endpoint, configured only
by environment variables (nothing by default, never required):

    PEF_GX_LLM_URL      base URL, e.g. http://127.0.0.1:8000/v1 (POST <url>/chat/completions)
    PEF_GX_LLM_MODEL    the model name to send
    PEF_GX_LLM_API_KEY  sent as a Bearer token when set

It is asked only for requests the rule-based reader cannot read, and only for a structured plan (JSON);
the plan is checked against the project and rendered by the same templates (see
pef_gx.generators.natural_language.plan)."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass

from pef_gx.generators.natural_language import NotUnderstood, ProjectIndex
from pef_gx.generators.natural_language.plan import SCHEMA_HELP, PlanRefused

TIMEOUT_S = 60


@dataclass(frozen=True)
class LlmConfig:
    url: str
    model: str
    api_key: str | None

    def describe(self) -> str:
        return f"the language model {self.model} at {self.url}"


def llm_config(environ: Mapping[str, str] | None = None) -> LlmConfig | None:
    env = os.environ if environ is None else environ
    url = (env.get("PEF_GX_LLM_URL") or "").strip()
    if not url:
        return None
    return LlmConfig(url.rstrip("/"), (env.get("PEF_GX_LLM_MODEL") or "").strip() or "default",
                     env.get("PEF_GX_LLM_API_KEY") or None)  # fmt: skip


def _project_text(index: ProjectIndex) -> str:
    lines = []
    for model in sorted(index.models.values(), key=lambda m: m.name):
        if model.resource_type not in ("model", "seed"):
            continue
        cols = []
        for name, typ in model.columns.items():
            values = model.values.get(name)
            shown = f"{name} {typ or ''}".strip()
            if values and len(values) <= 12:
                shown += " {" + ", ".join(values) + "}"
            cols.append(shown)
        lines.append(f"- {model.name}: " + "; ".join(cols))
    return "\n".join(lines)[:12000]


def ask_for_plan(config: LlmConfig, request: str, index: ProjectIndex) -> str:
    """The model's answer text (the caller parses and checks it). NotUnderstood when it cannot be reached."""
    system = (
        "You turn a data request into ONE JSON plan for a dbt project, and nothing else. Use only the "
        "models, columns and values listed. Plan shapes:\n"
        + SCHEMA_HELP
        + "\nProject:\n"
        + _project_text(index)
    )
    body = json.dumps({
        "model": config.model,
        "temperature": 0,
        "messages": [{"role": "system", "content": system}, {"role": "user", "content": request}],
    }).encode()  # fmt: skip
    headers = {"Content-Type": "application/json"}
    if config.api_key:
        headers["Authorization"] = f"Bearer {config.api_key}"
    req = urllib.request.Request(config.url + "/chat/completions", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT_S) as response:
            data = json.loads(response.read().decode("utf-8", "replace"))
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise NotUnderstood(
            f"the language model at {config.url} could not be asked: {exc}",
            "check PEF_GX_LLM_URL, or unset it",
        ) from None
    try:
        return str(data["choices"][0]["message"]["content"])
    except (KeyError, IndexError, TypeError):
        raise PlanRefused("the language model's answer has no message", "check the endpoint") from None
