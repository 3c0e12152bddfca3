{#- Snapshots on Spark without Delta: dbt-spark's snapshot needs MERGE (Delta, Iceberg, Hudi), whose jars
    are not installable offline. This is dbt-spark 1.11's snapshot materialization with the MERGE replaced
    by what a Parquet table can do: the merged history is computed into a scratch table, then written back
    with INSERT OVERWRITE (Spark refuses to overwrite a table it reads in the same statement). Other file
    formats keep dbt-spark's own merge. -#}
{% materialization snapshot, adapter='spark' %}
  {%- set target_table = model.get('alias', model.get('name')) -%}
  {%- set strategy_name = config.get('strategy') -%}
  {%- set file_format = config.get('file_format') or 'parquet' -%}
  {%- set grant_config = config.get('grants') -%}

  {% set target_relation_exists, target_relation = get_or_create_relation(
          database=none, schema=model.schema, identifier=target_table, type='table') -%}

  {% if not adapter.check_schema_exists(model.database, model.schema) %}
    {% do create_schema(model.schema) %}
  {% endif %}
  {%- if not target_relation.is_table -%}
    {% do exceptions.relation_wrong_type(target_relation, 'table') %}
  {%- endif -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {% set strategy_macro = strategy_dispatch(strategy_name) %}
  {% set strategy = strategy_macro(model, "snapshotted_data", "source_data", model['config'], target_relation_exists) %}

  {% if not target_relation_exists %}
    {% set build_sql = build_snapshot_table(strategy, model['compiled_code']) %}
    {% set final_sql = create_table_as(False, target_relation, build_sql) %}
  {% else %}
    {% set columns = config.get("snapshot_table_column_names") or get_snapshot_table_column_names() %}
    {{ adapter.valid_snapshot_target(target_relation, columns) }}
    {% set staging_table = spark_build_snapshot_staging_table(strategy, sql, target_relation) %}
    {% set missing_columns = adapter.get_missing_columns(staging_table, target_relation)
         | rejectattr('name', 'in', ['dbt_change_type', 'DBT_CHANGE_TYPE', 'dbt_unique_key', 'DBT_UNIQUE_KEY'])
         | list %}
    {% do create_columns(target_relation, missing_columns) %}
    {% if file_format in ['delta', 'iceberg', 'hudi'] %}
      {% set source_columns = adapter.get_columns_in_relation(staging_table)
           | rejectattr('name', 'in', ['dbt_change_type', 'DBT_CHANGE_TYPE', 'dbt_unique_key', 'DBT_UNIQUE_KEY'])
           | list %}
      {% set quoted = [] %}
      {% for column in source_columns %}{% do quoted.append(adapter.quote(column.name)) %}{% endfor %}
      {% set final_sql = snapshot_merge_sql(target=target_relation, source=staging_table, insert_cols=quoted) %}
    {% else %}
      {% set scratch = pef_gx_spark_snapshot_scratch(target_relation) %}
      {% set final_sql = pef_gx_spark_snapshot_rewrite(target_relation, staging_table, columns, scratch) %}
    {% endif %}
  {% endif %}

  {% call statement('main') %}
      {{ final_sql }}
  {% endcall %}

  {% if scratch is defined %}
    {% do run_query("drop table if exists " ~ scratch) %}
  {% endif %}

  {% set should_revoke = should_revoke(target_relation_exists, full_refresh_mode) %}
  {% do apply_grants(target_relation, grant_config, should_revoke) %}
  {% do persist_docs(target_relation, model) %}
  {{ run_hooks(post_hooks, inside_transaction=True) }}
  {{ adapter.commit() }}
  {% if staging_table is defined %}
    {% do post_snapshot(staging_table) %}
  {% endif %}
  {{ run_hooks(post_hooks, inside_transaction=False) }}
  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}

{#- The merge of dbt-spark's snapshot_merge_sql, as a full rewrite: current versions that changed or
    were deleted get dbt_valid_to; new versions are appended. Returns the final INSERT OVERWRITE. -#}
{% macro pef_gx_spark_snapshot_scratch(target) %}
  {{ return(api.Relation.create(schema=target.schema, identifier=target.identifier ~ '__pef_gx_merged', type='table')) }}
{% endmacro %}

{% macro pef_gx_spark_snapshot_rewrite(target, source, columns, scratch) %}
  {%- set target_columns = adapter.get_columns_in_relation(target) -%}
  {%- set names = target_columns | map(attribute='name') | list -%}
  {%- set current_to = config.get('dbt_valid_to_current') -%}
  {% do run_query("drop table if exists " ~ scratch) %}
  {% set merged %}
    select
      {%- for name in names %}
      {% if name | lower == columns.dbt_valid_to | lower -%}
      case when s.{{ columns.dbt_scd_id }} is not null then s.{{ columns.dbt_valid_to }} else d.{{ adapter.quote(name) }} end
      {%- else -%}
      d.{{ adapter.quote(name) }}
      {%- endif %} as {{ adapter.quote(name) }}{{ ',' if not loop.last }}
      {%- endfor %}
    from {{ target }} as d
    left join (
      select * from {{ source }} where dbt_change_type in ('update', 'delete')
    ) as s
      on s.{{ columns.dbt_scd_id }} = d.{{ columns.dbt_scd_id }}
      and (d.{{ columns.dbt_valid_to }} is null
           {%- if current_to %} or d.{{ columns.dbt_valid_to }} = {{ current_to }}{% endif %})
    union all
    select {% for name in names %}{{ adapter.quote(name) }}{{ ', ' if not loop.last }}{% endfor %}
    from {{ source }} where dbt_change_type = 'insert'
  {% endset %}
  {% do run_query(create_table_as(False, scratch, merged)) %}
  {{ return("insert overwrite table " ~ target ~ " select * from " ~ scratch) }}
{% endmacro %}
