{#- Seeds on Spark: dbt-spark 1.11 binds every value as '<python str>', so an empty CSV cell (None) lands as
    the string 'None' and a quote in a value breaks the statement. This renders each value as a literal
    instead: NULL stays NULL, strings are escaped the way Spark SQL reads them (backslash and quote). -#}
{% macro spark__load_csv_rows(model, agate_table) %}
  {% set batch_size = get_batch_size() %}
  {% set column_override = model['config'].get('column_types', {}) %}
  {% set types = [] %}
  {% for col_name in agate_table.column_names %}
    {% do types.append(column_override.get(col_name, adapter.convert_type(agate_table, loop.index0))) %}
  {% endfor %}
  {% set statements = [] %}
  {% for chunk in agate_table.rows | batch(batch_size) %}
    {% set sql %}
      insert into {{ this.render() }} values
      {% for row in chunk -%}
        ({%- for value in row -%}
          cast({{ pef_gx_spark_literal(value) }} as {{ types[loop.index0] }})
          {%- if not loop.last %}, {% endif -%}
        {%- endfor -%})
        {%- if not loop.last %},{% endif %}
      {% endfor %}
    {% endset %}
    {% do adapter.add_query(sql, abridge_sql_log=True) %}
    {% if loop.index0 == 0 %}{% do statements.append(sql) %}{% endif %}
  {% endfor %}
  {{ return(statements[0]) }}
{% endmacro %}

{% macro pef_gx_spark_literal(value) -%}
  {%- if value is none -%} null
  {%- elif value is sameas true -%} true
  {%- elif value is sameas false -%} false
  {%- elif value is number -%} {{ value }}
  {%- else -%} '{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}'
  {%- endif -%}
{%- endmacro %}
