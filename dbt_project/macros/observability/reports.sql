{#-
  Reports over the audit tables written by log_pipeline_start / log_pipeline_end (see audit.sql).
  Each creates (or replaces) views in the target schema and logs a summary; run them with
  dbt run-operation <name>. DuckDB and PostgreSQL.

  generate_pipeline_health_dashboard(last_n=20) -> views pef_gx_pipeline_health (per pipeline) and
                                                   pef_gx_model_health (per model/seed/snapshot)
  generate_quality_report()                     -> view pef_gx_quality_report (per data test)
  create_alert_conditions(slow_factor=2.0)      -> view pef_gx_alert_conditions (what to alert on now)
-#}

{% macro pef_gx_create_view(name, sql) %}
    {% set relation = pef_gx_audit_relation(name) %}
    {% do run_query("drop view if exists " ~ relation) %}
    {% do run_query("create view " ~ relation ~ " as " ~ sql) %}
    {% do return(relation) %}
{% endmacro %}

{% macro pef_gx_log_table(title, table, max_rows=20) %}
    {% do log(title, info=true) %}
    {% set names = table.column_names %}
    {% do log("  " ~ (names | join(" | ")), info=true) %}
    {% for row in table.rows[:max_rows] %}
        {% set cells = [] %}
        {% for value in row %}{% do cells.append(value if value is not none else "") %}{% endfor %}
        {% do log("  " ~ (cells | join(" | ")), info=true) %}
    {% endfor %}
{% endmacro %}

{% macro generate_pipeline_health_dashboard(last_n=20) %}
    {% if not execute %}{% do return(none) %}{% endif %}
    {% set runs, nodes = pef_gx_ensure_audit_tables() %}
    {% set pipeline_sql %}
        with recent as (
            select r.*, row_number() over (partition by pipeline_name order by started_at desc) as recency
            from {{ runs }} r
        )
        select
            pipeline_name,
            count(*) as runs,
            sum(case when status in ('success', 'warn') then 1 else 0 end) as succeeded,
            sum(case when status = 'error' then 1 else 0 end) as failed,
            sum(case when finished_at is null then 1 else 0 end) as unfinished,
            cast(100.0 * sum(case when status in ('success', 'warn') then 1 else 0 end) / count(*) as numeric(5, 1)) as success_pct,
            cast(avg({{ dbt.datediff('started_at', 'finished_at', 'second') }}) as numeric(12, 1)) as avg_duration_s,
            max(started_at) as last_started_at
        from recent
        where recency <= {{ last_n | int }}
        group by pipeline_name
    {% endset %}
    {% set model_sql %}
        select
            unique_id,
            resource_type,
            count(*) as executions,
            sum(case when status in ('error', 'fail', 'runtime error') then 1 else 0 end) as failures,
            cast(100.0 * sum(case when status in ('success', 'pass', 'warn') then 1 else 0 end) / count(*) as numeric(5, 1)) as success_pct,
            cast(avg(execution_time) as numeric(14, 3)) as avg_time_s,
            cast(max(execution_time) as numeric(14, 3)) as max_time_s,
            max(recorded_at) as last_seen_at
        from {{ nodes }}
        where resource_type in ('model', 'seed', 'snapshot') and status <> 'skipped'
        group by unique_id, resource_type
    {% endset %}
    {% set health = pef_gx_create_view('pef_gx_pipeline_health', pipeline_sql) %}
    {% set models = pef_gx_create_view('pef_gx_model_health', model_sql) %}
    {% do pef_gx_log_table("pipeline health (" ~ health ~ "):", run_query("select * from " ~ health ~ " order by pipeline_name")) %}
    {% do pef_gx_log_table("slowest models (" ~ models ~ "):", run_query("select unique_id, executions, failures, success_pct, avg_time_s from " ~ models ~ " order by avg_time_s desc, unique_id limit 5")) %}
{% endmacro %}

{% macro generate_quality_report() %}
    {% if not execute %}{% do return(none) %}{% endif %}
    {% set runs, nodes = pef_gx_ensure_audit_tables() %}
    {% set report_sql %}
        with ranked as (
            select n.*, row_number() over (partition by unique_id order by recorded_at desc) as recency
            from {{ nodes }} n
            where resource_type = 'test' and status <> 'skipped'
        )
        select
            unique_id,
            count(*) as runs,
            sum(case when status = 'pass' then 1 else 0 end) as passed,
            sum(case when status = 'warn' then 1 else 0 end) as warned,
            sum(case when status in ('fail', 'error', 'runtime error') then 1 else 0 end) as failed,
            cast(100.0 * sum(case when status = 'pass' then 1 else 0 end) / count(*) as numeric(5, 1)) as pass_pct,
            max(case when recency = 1 then status end) as last_status,
            max(case when recency = 1 then failures end) as last_failures
        from ranked
        group by unique_id
    {% endset %}
    {% set report = pef_gx_create_view('pef_gx_quality_report', report_sql) %}
    {% set summary = run_query("select count(*) as tests, sum(case when last_status = 'pass' then 1 else 0 end) as passing, sum(case when last_status = 'warn' then 1 else 0 end) as warning, sum(case when last_status in ('fail', 'error', 'runtime error') then 1 else 0 end) as failing from " ~ report) %}
    {% do pef_gx_log_table("quality report (" ~ report ~ "), latest status per test:", summary) %}
    {% do pef_gx_log_table("tests not passing now:", run_query("select unique_id, last_status, last_failures, pass_pct from " ~ report ~ " where last_status <> 'pass' order by last_status, unique_id")) %}
{% endmacro %}

{% macro create_alert_conditions(slow_factor=2.0) %}
    {% if not execute %}{% do return(none) %}{% endif %}
    {% set runs, nodes = pef_gx_ensure_audit_tables() %}
    {% set conditions_sql %}
        with latest_run as (
            select run_id from (
                select run_id, row_number() over (order by started_at desc) as recency
                from {{ runs }} where finished_at is not null
            ) r where recency = 1
        ),
        latest as (
            select n.* from {{ nodes }} n join latest_run l on n.run_id = l.run_id
        ),
        history as (
            select unique_id, avg(execution_time) as avg_time, count(*) as executions
            from {{ nodes }} n
            where n.run_id not in (select run_id from latest_run) and status in ('success', 'pass', 'warn')
            group by unique_id
        )
        select 'model_failure' as condition_name, 'error' as severity, unique_id, run_id, message as detail
        from latest where resource_type in ('model', 'seed', 'snapshot') and status in ('error', 'runtime error')
        union all
        select 'check_failure', 'error', unique_id, run_id, message
        from latest where resource_type = 'test' and status in ('fail', 'error', 'runtime error')
        union all
        select 'check_warning', 'warn', unique_id, run_id, message
        from latest where resource_type = 'test' and status = 'warn'
        union all
        select 'perf_regression', 'warn', latest.unique_id, latest.run_id,
               'took ' || cast(cast(latest.execution_time as numeric(14, 2)) as varchar(30)) || 's, average '
               || cast(cast(history.avg_time as numeric(14, 2)) as varchar(30)) || 's'
        from latest join history on history.unique_id = latest.unique_id
        where history.executions >= 3 and latest.execution_time > {{ slow_factor | float }} * history.avg_time
          and latest.execution_time - history.avg_time >= 1
        union all
        select 'unfinished_run', 'warn', pipeline_name, run_id, 'started ' || cast(started_at as varchar(40)) || ', never finished'
        from {{ runs }}
        where finished_at is null and started_at < (select max(started_at) from {{ runs }})
    {% endset %}
    {% set view = pef_gx_create_view('pef_gx_alert_conditions', conditions_sql) %}
    {% set table = run_query("select condition_name, severity, unique_id, detail from " ~ view ~ " order by severity, condition_name, unique_id") %}
    {% do log(table.rows | length ~ " alert condition(s) in " ~ view, info=true) %}
    {% do pef_gx_log_table("alert conditions:", table) %}
{% endmacro %}
