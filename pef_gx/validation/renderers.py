"""Checks in words on GX's own Data Docs pages, through GX's renderer registry (no HTML post-processing).

For every expectation type pef-gx writes, `install()` registers a prescriptive renderer (the rule as a
sentence: pef_gx.checks.words) and an observed-value renderer (what was seen, in the same terms) over
GX's own. Both speak only for expectations that carry pef-gx's `meta.pef_gx`; any other expectation
(hand-written, no pef-gx meta) is rendered by the renderer GX had registered before.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pef_gx.checks.catalog import KINDS, UNEXPECTED_ROWS
from pef_gx.checks.words import observed_sentence, words_for
from pef_gx.validation.thresholds import verdict

_installed = False
PRESCRIPTIVE = "renderer.prescriptive"
OBSERVED = "renderer.diagnostic.observed_value"
STATUS_ICON = "renderer.diagnostic.status_icon"
# the site's words and colours (pef_gx.reporting.site.status; validation cannot import reporting)
_ICONS = {
    "pass": ("✔", "#1a7f37"),
    "warn": ("⚠", "#9a6700"),
    "fail": ("✘", "#cf222e"),
    "error": ("‼", "#8250df"),
}


def _pef_meta(configuration: Any) -> Mapping[str, Any] | None:
    meta = getattr(configuration, "meta", None) or {}
    own = meta.get("pef_gx") if isinstance(meta, Mapping) else None
    return own if isinstance(own, Mapping) and own.get("kind") else None


def _result_dict(result: Any, meta: Mapping[str, Any], expectation_type: str) -> dict[str, Any]:
    """A CheckResult-like dict from a GX ExpectationValidationResult (status honours the severity)."""
    details = dict(getattr(result, "result", None) or {})
    raised = (getattr(result, "exception_info", None) or {}).get("raised_exception")
    if raised:
        return {
            "status": "error",
            "message": str((result.exception_info or {}).get("exception_message"))[:200],
        }
    severity = str(meta.get("severity") or "error")
    unexpected = details.get("unexpected_count")
    values = list(details.get("partial_unexpected_list") or [])
    if expectation_type == UNEXPECTED_ROWS:
        unexpected = details.get("observed_value")
        rows = list((details.get("details") or {}).get("unexpected_rows") or [])
        values = [next(iter(r.values())) if isinstance(r, Mapping) and len(r) == 1 else r for r in rows]
    status = "pass"
    if not result.success:  # dbt's warn_if / error_if on the failure count, as the checkpoint judges it
        row_level = meta.get("level") == "row" and isinstance(unexpected, int)
        failures = int(unexpected) if row_level else 1
        try:
            status = verdict(failures, severity, meta.get("warn_if"), meta.get("error_if"))
        except Exception:  # a bad threshold is reported by the checkpoint itself
            status = "warn" if severity == "warn" else "fail"
    message = None
    observed = details.get("observed_value")
    if meta.get("kind") == "not_null_proportion" and isinstance(observed, (int, float)):
        total = details.get("element_count")
        if total:
            unexpected = round(total * (1 - float(observed)))
    return {
        "status": status,
        "element_count": details.get("element_count"),
        "unexpected_count": unexpected,
        "unexpected_values": values[:5],
        "message": message,
    }


def _prescriptive(original: Callable[..., Any] | None) -> Callable[..., Any]:
    def render(
        configuration: Any = None, result: Any = None, runtime_configuration: Any = None, **kw: Any
    ) -> Any:
        from great_expectations.render import RenderedStringTemplateContent

        configuration = configuration or getattr(result, "expectation_config", None)
        meta = _pef_meta(configuration)
        if meta is None:
            if original is None:
                return []
            return original(
                configuration=configuration, result=result, runtime_configuration=runtime_configuration, **kw
            )
        rule = words_for(meta, None).rule.replace("`", "")
        severity = str(meta.get("severity") or "error")
        return [
            RenderedStringTemplateContent(
                content_block_type="string_template",
                string_template={
                    "template": "$rule  ($severity, $dimension)",
                    "params": {"rule": rule, "severity": severity, "dimension": meta.get("dimension") or ""},
                    "styling": {"params": {"severity": {"classes": [f"pef-sev-{severity}"]}}},
                },
            )
        ]

    render._renderer_type = PRESCRIPTIVE  # type: ignore[attr-defined]
    return render


def _observed(original: Callable[..., Any] | None, expectation_type: str) -> Callable[..., Any]:
    def render(result: Any = None, **kw: Any) -> Any:
        configuration = getattr(result, "expectation_config", None)
        meta = _pef_meta(configuration)
        if meta is None:
            return original(result=result, **kw) if original is not None else "--"
        seen = observed_sentence(
            str(meta.get("kind")),
            tuple(meta.get("columns") or ()),
            meta.get("params") or {},
            _result_dict(result, meta, expectation_type),
            severity=str(meta.get("severity") or "error"),
        )
        text = seen.observed or "--"
        if seen.examples:
            text += "; e.g. " + ", ".join(seen.examples)
        return text.replace("`", "")

    render._renderer_type = OBSERVED  # type: ignore[attr-defined]
    return render


def _status_icon(original: Callable[..., Any] | None, expectation_type: str) -> Callable[..., Any]:
    """A warn-severity failure shows the warning sign, not GX's red cross."""

    def render(result: Any = None, **kw: Any) -> Any:
        from great_expectations.render import RenderedStringTemplateContent

        meta = _pef_meta(getattr(result, "expectation_config", None))
        if meta is None and original is not None:
            return original(result=result, **kw)
        status = _result_dict(result, meta or {}, expectation_type)["status"]
        icon, colour = _ICONS.get(status, ("?", "#57606a"))
        return RenderedStringTemplateContent(
            content_block_type="string_template",
            string_template={
                "template": "$icon",
                "params": {"icon": icon},
                "styling": {
                    "params": {"icon": {"styles": {"color": colour}, "attributes": {"title": status}}}
                },
            },
        )

    render._renderer_type = STATUS_ICON  # type: ignore[attr-defined]
    return render


def expectation_types() -> list[str]:
    return sorted({k.gx_type for k in KINDS.values() if k.gx_type} | {UNEXPECTED_ROWS})


def install() -> None:
    """Register pef-gx's renderers over GX's for the expectation types pef-gx writes (once a process)."""
    global _installed
    if _installed:
        return
    import great_expectations.expectations  # noqa: F401  (GX registers its own renderers on import)
    from great_expectations.expectations.expectation import Expectation
    from great_expectations.expectations.registry import get_renderer_impl, register_renderer

    for gx_type in expectation_types():
        for renderer_type, make in (
            (PRESCRIPTIVE, lambda orig, t=gx_type: _prescriptive(orig)),
            (OBSERVED, lambda orig, t=gx_type: _observed(orig, t)),
            (STATUS_ICON, lambda orig, t=gx_type: _status_icon(orig, t)),
        ):
            found = get_renderer_impl(object_name=gx_type, renderer_type=renderer_type)
            parent = found[0] if found else Expectation
            register_renderer(gx_type, parent, make(found[1] if found else None))
    _installed = True


def suite_verdict(validation_results: Any) -> str:
    """pass | warn | fail | error of a GX suite result, by the pef-gx severity of its failed checks."""
    if validation_results.success:
        return "pass"
    verdicts = set()
    for result in validation_results.results or []:
        if result.success:
            continue
        config = getattr(result, "expectation_config", None)
        meta = _pef_meta(config) or {}
        verdicts.add(_result_dict(result, meta, str(getattr(config, "type", "")))["status"])
    for worst in ("error", "fail", "warn"):
        if worst in verdicts:
            return worst
    return "fail"


def page_renderer_class() -> type:
    """GX's validation page renderer whose overview says "Warning" (not "Failed") when only warn-severity
    checks failed; named in the Data Docs site config (validations section) by pef_gx.validation.context."""
    from great_expectations.render.renderer import ValidationResultsPageRenderer

    class PefValidationResultsPageRenderer(ValidationResultsPageRenderer):
        @classmethod
        def _render_validation_header(cls, validation_results: Any) -> Any:
            header = super()._render_validation_header(validation_results)
            verdict = suite_verdict(validation_results)
            if verdict in ("warn", "error"):
                icon, colour = _ICONS[verdict]
                params = header.subheader.string_template["params"]
                params["success"] = "Warning" if verdict == "warn" else "Could not run"
                params["html_success_icon"] = f'<span style="color:{colour}">{icon}</span>'
            return header

    return PefValidationResultsPageRenderer


def __getattr__(name: str) -> Any:  # GX instantiates the renderer class by module and class name
    if name == "PefValidationResultsPageRenderer":
        return page_renderer_class()
    raise AttributeError(name)
