{#-
  pef-gx observability macros: an audit trail of dbt invocations written by dbt itself.

  on-run-start: {{ log_pipeline_start(project_name, invocation_id) }}   -> one row in pef_gx_pipeline_runs
  on-run-end:   {{ log_pipeline_end(project_name, invocation_id, results) }}
                                                   -> finishes that row, one row per node in pef_gx_node_results
  Tables live in the target schema; they are created when missing. DuckDB, PostgreSQL and Spark.
  Spark's tables here are plain Parquet (no Delta: its jars are not installable offline), which cannot be
  updated: on Spark the run row is written once, at run end, with dbt's run_started_at as its start.
  Set the variable pef_gx_audit: false to switch the audit off.
-#}

{% macro pef_gx_audit_relation(name) -%}
    {#- Spark has no database level (target.database is undefined there). -#}
    {%- set database = target.database if target.type != 'spark' else none -%}
    {{- return(api.Relation.create(database=database, schema=target.schema, identifier=name)) -}}
{%- endmacro %}

{% macro pef_gx_literal(value) -%}
    {%- if value is none -%}null{%- else -%}'{{ (value | string) | replace("'", "''") }}'{%- endif -%}
{%- endmacro %}

{% macro pef_gx_ensure_audit_tables() %}
    {% set runs = pef_gx_audit_relation('pef_gx_pipeline_runs') %}
    {% set nodes = pef_gx_audit_relation('pef_gx_node_results') %}
    {% do run_query("create schema if not exists " ~ adapter.quote(target.schema)) %}
    {% do run_query("create table if not exists " ~ runs ~ " (
        run_id varchar(64) not null,
        pipeline_name varchar(200) not null,
        target_name varchar(100),
        dbt_version varchar(20),
        invoked_command varchar(50),
        started_at timestamp not null,
        finished_at timestamp,
        status varchar(20) not null,
        nodes_total integer,
        nodes_error integer,
        nodes_warn integer,
        nodes_skipped integer
    )") %}
    {% do run_query("create table if not exists " ~ nodes ~ " (
        run_id varchar(64) not null,
        unique_id varchar(1000) not null,
        resource_type varchar(50),
        status varchar(30),
        execution_time numeric(14, 3),
        rows_affected bigint,
        failures bigint,
        message varchar(2000),
        recorded_at timestamp not null
    )") %}
    {% do return((runs, nodes)) %}
{% endmacro %}

{#- An audit row at run start. Returns no SQL (works as a hook and with dbt run-operation). -#}
{% macro log_pipeline_start(pipeline_name, run_id) %}
    {% if execute and var('pef_gx_audit', true) and target.type != 'spark' %}
        {% set runs, nodes = pef_gx_ensure_audit_tables() %}
        {% set command = (flags.WHICH if flags.WHICH is defined else none) %}
        {% do run_query(
            "insert into " ~ runs ~ " (run_id, pipeline_name, target_name, dbt_version, invoked_command, started_at, status)"
            ~ " values (" ~ pef_gx_literal(run_id) ~ ", " ~ pef_gx_literal(pipeline_name) ~ ", "
            ~ pef_gx_literal(target.name) ~ ", " ~ pef_gx_literal(dbt_version) ~ ", " ~ pef_gx_literal(command)
            ~ ", current_timestamp, 'running')"
        ) %}
    {% endif %}
{% endmacro %}

{#- At run end: status and counts on the run row, one row per executed node. -#}
{% macro log_pipeline_end(pipeline_name, run_id, results) %}
    {% if execute and var('pef_gx_audit', true) %}
        {% set runs, nodes = pef_gx_ensure_audit_tables() %}
        {% set ns = namespace(error=0, warn=0, skipped=0, rows=[]) %}
        {% for result in results %}
            {% set status = (result.status | string | lower) %}
            {% if status in ('error', 'fail', 'runtime error') %}{% set ns.error = ns.error + 1 %}{% endif %}
            {% if status == 'warn' %}{% set ns.warn = ns.warn + 1 %}{% endif %}
            {% if status == 'skipped' %}{% set ns.skipped = ns.skipped + 1 %}{% endif %}
            {% set response = result.adapter_response or {} %}
            {% set rows_affected = response.get('rows_affected') if response is mapping else none %}
            {% do ns.rows.append("(" ~ pef_gx_literal(run_id) ~ ", " ~ pef_gx_literal(result.node.unique_id) ~ ", "
                ~ pef_gx_literal(result.node.resource_type) ~ ", " ~ pef_gx_literal(status) ~ ", "
                ~ (result.execution_time or 0) ~ ", " ~ (rows_affected if rows_affected is number else 'null') ~ ", "
                ~ (result.failures if result.failures is number else 'null') ~ ", "
                ~ pef_gx_literal((result.message or '') | string | truncate(1990, true, '')) ~ ", current_timestamp)") %}
        {% endfor %}
        {% for batch in ns.rows | batch(200) %}
            {% do run_query("insert into " ~ nodes ~ " (run_id, unique_id, resource_type, status, execution_time,"
                ~ " rows_affected, failures, message, recorded_at) values " ~ (batch | join(", "))) %}
        {% endfor %}
        {% set status = 'error' if ns.error else ('warn' if ns.warn else 'success') %}
        {% if target.type == 'spark' %}
            {% set command = (flags.WHICH if flags.WHICH is defined else none) %}
            {% do run_query(
                "insert into " ~ runs ~ " (run_id, pipeline_name, target_name, dbt_version, invoked_command, started_at,"
                ~ " finished_at, status, nodes_total, nodes_error, nodes_warn, nodes_skipped) values ("
                ~ pef_gx_literal(run_id) ~ ", " ~ pef_gx_literal(pipeline_name) ~ ", " ~ pef_gx_literal(target.name)
                ~ ", " ~ pef_gx_literal(dbt_version) ~ ", " ~ pef_gx_literal(command) ~ ", cast("
                ~ pef_gx_literal(run_started_at.strftime('%Y-%m-%d %H:%M:%S')) ~ " as timestamp), current_timestamp, '"
                ~ status ~ "', " ~ (results | length) ~ ", " ~ ns.error ~ ", " ~ ns.warn ~ ", " ~ ns.skipped ~ ")"
            ) %}
        {% else %}
            {% do run_query("update " ~ runs ~ " set finished_at = current_timestamp, status = '" ~ status ~ "'"
                ~ ", nodes_total = " ~ (results | length) ~ ", nodes_error = " ~ ns.error ~ ", nodes_warn = " ~ ns.warn
                ~ ", nodes_skipped = " ~ ns.skipped ~ " where run_id = " ~ pef_gx_literal(run_id)) %}
        {% endif %}
    {% endif %}
{% endmacro %}
