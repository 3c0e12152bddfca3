"""pef-gx's custom GX expectations: the framework's quality-score and performance tests.

GX 1.x registers an Expectation subclass (and a MetricProvider subclass) when the class is defined, under
the snake_case of its name; importing this module is all the registration there is. pef-gx imports it
before it loads suites (pef_gx.validation.suites), so suites that name these types load, validate and
render in Data Docs like GX's own.

- `expect_query_execution_time_to_be_below` runs in GX: its metric `pef_gx.query.execution_time_ms`
  runs the query `repeat` times on one connection of the batch's engine (the warehouse session), fetches
  every row (a dashboard waits for them too), and the expectation compares the median with `max_ms`.
  `{batch}` in the query is the batch's relation (pef-gx's engine puts the table itself there first, so a
  lookup can use the table's indexes).
- `expect_model_quality_score_to_be_at_least` and `expect_model_build_time_to_be_below` are judged by
  pef-gx after the checkpoint, from the run's results and dbt's run_results.json
  (pef_gx.runner.custom_tests_step); GX only stores and renders them. Validated by GX alone they report
  "not evaluated", never a pass.

Self-contained on purpose: no other pef-gx module is needed to run these through plain GX.
"""

from __future__ import annotations

import statistics
import time
from typing import Any, ClassVar

from great_expectations.compatibility import pydantic
from great_expectations.core.metric_domain_types import MetricDomainTypes
from great_expectations.execution_engine import SqlAlchemyExecutionEngine
from great_expectations.expectations.expectation import BatchExpectation
from great_expectations.expectations.metrics.metric_provider import MetricProvider, metric_value
from great_expectations.render import LegacyRendererType, RenderedStringTemplateContent
from great_expectations.render.renderer.renderer import renderer
from great_expectations.render.renderer_configuration import (
    CodeBlock,
    CodeBlockLanguage,
    RendererConfiguration,
    RendererValueType,
)

from pef_gx.warehouse.sql import type_family

EXECUTION_TIME_METRIC = "pef_gx.query.execution_time_ms"
NOT_EVALUATED = "evaluated by pef-gx after the checkpoint (pef-gx build / pef-gx checkpoint), not by GX"


def _string_block(template: str, params: dict[str, Any]) -> list[RenderedStringTemplateContent]:
    return [
        RenderedStringTemplateContent(
            content_block_type="string_template",
            string_template={"template": template, "params": params, "styling": {}},
        )
    ]


class QueryExecutionTimeMs(MetricProvider):
    """Wall-clock milliseconds of each of `repeat` runs of `query` (rows fetched), on one connection."""

    metric_name = EXECUTION_TIME_METRIC
    value_keys = ("query", "repeat")
    domain_keys = ("batch_id", "table", "row_condition", "condition_parser")

    @metric_value(engine=SqlAlchemyExecutionEngine)
    def _sqlalchemy(
        cls,
        execution_engine: SqlAlchemyExecutionEngine,
        metric_domain_kwargs: dict,
        metric_value_kwargs: dict,
        metrics: dict[str, Any],
        runtime_configuration: dict,
    ) -> list[float]:
        import sqlalchemy as sa

        query = str(metric_value_kwargs["query"])
        if "{batch}" in query:
            selectable, _, _ = execution_engine.get_compute_domain(
                metric_domain_kwargs, domain_type=MetricDomainTypes.TABLE
            )
            compiled = (
                sa.select(sa.text("*"))
                .select_from(selectable)
                .compile(dialect=execution_engine.engine.dialect, compile_kwargs={"literal_binds": True})
            )
            query = query.replace("{batch}", f"({compiled}) as pef_gx_batch")
        repeat = max(1, int(metric_value_kwargs.get("repeat") or 1))
        timings: list[float] = []
        with execution_engine.engine.connect() as connection:
            statement = sa.text(query)
            for _ in range(repeat):
                started = time.perf_counter()
                connection.execute(statement).fetchall()
                timings.append(round((time.perf_counter() - started) * 1000.0, 3))
            connection.rollback()
        return timings


class ExpectQueryExecutionTimeToBeBelow(BatchExpectation):
    """Expect a query over the batch (e.g. a dashboard's lookup) to run within `max_ms` milliseconds.

    The query runs `repeat` times in the warehouse session; the median time is compared with the limit,
    so one noisy sample neither passes nor fails the test. `{batch}` in the query is the batch.
    """

    query: str
    max_ms: float = pydantic.Field(gt=0)
    repeat: int = pydantic.Field(ge=1, le=50)  # no default: GX leaves defaults out when it writes a suite
    query_name: str | None = None

    metric_dependencies = (EXECUTION_TIME_METRIC,)
    domain_keys: ClassVar[tuple[str, ...]] = ("batch_id", "table", "row_condition", "condition_parser")
    success_keys = ("query", "max_ms", "repeat")
    args_keys = ("query", "max_ms")
    library_metadata: ClassVar[dict[str, str | list | bool]] = {
        "maturity": "experimental",
        "tags": ["performance", "pef-gx"],
        "contributors": ["pef-gx"],
    }

    class Config:
        title = "Expect query execution time to be below"

    @classmethod
    def _prescriptive_template(cls, renderer_configuration: RendererConfiguration) -> RendererConfiguration:
        for name, kind in (("query_name", RendererValueType.STRING), ("max_ms", RendererValueType.NUMBER),
                           ("repeat", RendererValueType.NUMBER), ("query", RendererValueType.STRING)):  # fmt: skip
            renderer_configuration.add_param(name=name, param_type=kind)
        renderer_configuration.template_str = (
            "Query $query_name must run within $max_ms ms (median of $repeat runs)."
        )
        renderer_configuration.code_block = CodeBlock(
            code_template_str="$query", language=CodeBlockLanguage.SQL
        )
        return renderer_configuration

    @classmethod
    @renderer(renderer_type=LegacyRendererType.PRESCRIPTIVE)
    def _prescriptive_renderer(
        cls, configuration: Any = None, result: Any = None, runtime_configuration: dict | None = None
    ) -> list[RenderedStringTemplateContent]:
        kwargs = dict(configuration.kwargs if configuration else {})
        params = {k: kwargs.get(k) for k in ("query_name", "max_ms", "repeat", "query")}
        return _string_block(
            "Query $query_name must run within $max_ms ms (median of $repeat runs): $query", params
        )

    def _validate(
        self,
        metrics: dict,
        runtime_configuration: dict | None = None,
        execution_engine: Any = None,
    ) -> dict[str, Any]:
        timings = list(metrics[EXECUTION_TIME_METRIC])
        median = round(statistics.median(timings), 3)
        return {
            "success": median <= float(self.max_ms),
            "result": {
                "observed_value": median,
                "details": {
                    "median_ms": median,
                    "max_ms": float(self.max_ms),
                    "timings_ms": timings,
                    "repeat": len(timings),
                },
            },
        }


class _EvaluatedByPefGx(BatchExpectation):
    """Base of the expectations pef-gx judges from the run's results (no metric of the batch)."""

    metric_dependencies = ()
    domain_keys: ClassVar[tuple[str, ...]] = ("batch_id", "table", "row_condition", "condition_parser")
    library_metadata: ClassVar[dict[str, str | list | bool]] = {
        "maturity": "experimental",
        "tags": ["pef-gx"],
        "contributors": ["pef-gx"],
    }

    def _validate(
        self,
        metrics: dict,
        runtime_configuration: dict | None = None,
        execution_engine: Any = None,
    ) -> dict[str, Any]:
        return {"success": False, "result": {"observed_value": None, "details": {"note": NOT_EVALUATED}}}


class ExpectModelQualityScoreToBeAtLeast(_EvaluatedByPefGx):
    """Expect the model's quality score (overall, or one dimension) to be at least `min_value` (0-100)."""

    min_value: float = pydantic.Field(ge=0, le=100)
    dimension: str  # "overall" or a quality dimension

    success_keys = ("min_value", "dimension")
    args_keys = ("min_value", "dimension")

    class Config:
        title = "Expect model quality score to be at least"

    @classmethod
    def _prescriptive_template(cls, renderer_configuration: RendererConfiguration) -> RendererConfiguration:
        renderer_configuration.add_param(name="dimension", param_type=RendererValueType.STRING)
        renderer_configuration.add_param(name="min_value", param_type=RendererValueType.NUMBER)
        renderer_configuration.template_str = "The $dimension quality score must be at least $min_value."
        return renderer_configuration

    @classmethod
    @renderer(renderer_type=LegacyRendererType.PRESCRIPTIVE)
    def _prescriptive_renderer(
        cls, configuration: Any = None, result: Any = None, runtime_configuration: dict | None = None
    ) -> list[RenderedStringTemplateContent]:
        kwargs = dict(configuration.kwargs if configuration else {})
        params = {"dimension": kwargs.get("dimension", "overall"), "min_value": kwargs.get("min_value")}
        return _string_block("The $dimension quality score must be at least $min_value.", params)


class ExpectModelBuildTimeToBeBelow(_EvaluatedByPefGx):
    """Expect the model's dbt build (run_results.json execution_time) to stay under its limits (seconds)."""

    warn_after_seconds: float | None = pydantic.Field(None, ge=0)
    error_after_seconds: float | None = pydantic.Field(None, ge=0)

    success_keys = ("warn_after_seconds", "error_after_seconds")
    args_keys = ("warn_after_seconds", "error_after_seconds")

    class Config:
        title = "Expect model build time to be below"

    @classmethod
    def _prescriptive_template(cls, renderer_configuration: RendererConfiguration) -> RendererConfiguration:
        renderer_configuration.add_param(name="warn_after_seconds", param_type=RendererValueType.NUMBER)
        renderer_configuration.add_param(name="error_after_seconds", param_type=RendererValueType.NUMBER)
        renderer_configuration.template_str = (
            "The model must build within $error_after_seconds s (warning after $warn_after_seconds s)."
        )
        return renderer_configuration

    @classmethod
    @renderer(renderer_type=LegacyRendererType.PRESCRIPTIVE)
    def _prescriptive_renderer(
        cls, configuration: Any = None, result: Any = None, runtime_configuration: dict | None = None
    ) -> list[RenderedStringTemplateContent]:
        kwargs = dict(configuration.kwargs if configuration else {})
        parts, params = [], {}
        for key, words in (
            ("error_after_seconds", "must build within"),
            ("warn_after_seconds", "warns after"),
        ):
            if kwargs.get(key) is not None:
                parts.append(f"{words} ${key} s")
                params[key] = kwargs[key]
        return _string_block("The model " + " and ".join(parts) + ".", params)


CUSTOM_TYPES = (
    "expect_query_execution_time_to_be_below",
    "expect_model_quality_score_to_be_at_least",
    "expect_model_build_time_to_be_below",
)


# --- schema: a column keeps its type family -------------------------------------------------------

TYPE_FAMILY_NAMES = ("numeric", "string", "date", "timestamp", "boolean")


type_family_of = type_family  # one reading of type names for GX and the compiled engine


def _reflected_name(type_: Any) -> str:
    """The type's name as the warehouse spells it: SQLAlchemy type objects compile to their SQL name
    (`NUMERIC(10, 2)`); GX hands PostgreSQL's over as strings already."""
    if isinstance(type_, str):
        return type_
    try:
        return str(type_)
    except Exception:  # a type SQLAlchemy cannot render: its class name says enough
        return type(type_).__name__


class ExpectColumnTypeFamilyToBe(BatchExpectation):
    """Expect a column to exist and keep its type family: numeric, string, date, timestamp or boolean.

    A family, not an exact type, so the same suite holds on DuckDB and PostgreSQL (`sum()` of integers is
    HUGEINT in one and BIGINT in the other) and a widened VARCHAR or NUMERIC passes, while a dropped,
    renamed or retyped column (a number that became text) fails.
    """

    column: str
    family: str

    metric_dependencies = ("table.column_types",)
    domain_keys: ClassVar[tuple[str, ...]] = ("batch_id", "table", "row_condition", "condition_parser")
    success_keys = ("column", "family")
    args_keys = ("column", "family")
    library_metadata: ClassVar[dict[str, str | list | bool]] = {
        "maturity": "experimental",
        "tags": ["schema", "pef-gx"],
        "contributors": ["pef-gx"],
    }

    class Config:
        title = "Expect column type family to be"

    @classmethod
    def _prescriptive_template(cls, renderer_configuration: RendererConfiguration) -> RendererConfiguration:
        renderer_configuration.add_param(name="column", param_type=RendererValueType.STRING)
        renderer_configuration.add_param(name="family", param_type=RendererValueType.STRING)
        renderer_configuration.template_str = "$column must exist and be of a $family type."
        return renderer_configuration

    @classmethod
    @renderer(renderer_type=LegacyRendererType.PRESCRIPTIVE)
    def _prescriptive_renderer(
        cls, configuration: Any = None, result: Any = None, runtime_configuration: dict | None = None
    ) -> list[RenderedStringTemplateContent]:
        kwargs = dict(configuration.kwargs if configuration else {})
        params = {"column": kwargs.get("column"), "family": kwargs.get("family")}
        return _string_block("$column must exist and be of a $family type.", params)

    def _validate(
        self,
        metrics: dict,
        runtime_configuration: dict | None = None,
        execution_engine: Any = None,
    ) -> dict[str, Any]:
        wanted = str(self.column).casefold()
        found = [
            c for c in metrics.get("table.column_types") or [] if str(c.get("name")).casefold() == wanted
        ]
        if not found:
            return {"success": False, "result": {"observed_value": "no such column"}}
        name = _reflected_name(found[0].get("type"))
        return {
            "success": type_family_of(name) == str(self.family),
            "result": {"observed_value": name, "details": {"family": type_family_of(name)}},
        }
