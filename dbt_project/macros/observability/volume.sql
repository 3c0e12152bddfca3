{#-
  check_data_volume_anomaly(model, date_column, threshold_pct=50, lookback_days=7)

  Rows of the latest day of `date_column` against the average rows per day of the `lookback_days` days
  before it. An anomaly is a change beyond threshold_pct percent (up or down).

  - In a test or a model: pass a relation, e.g. {{ check_data_volume_anomaly(ref('fct_orders'), 'order_date', 50) }}
    It is a SELECT returning the latest day when it is an anomaly, no rows otherwise (a singular test fails
    on an anomaly).
  - With dbt run-operation: pass the model name; it logs the verdict and fails the command on an anomaly:
    dbt run-operation check_data_volume_anomaly --args '{model: fct_orders, date_column: order_date, threshold_pct: 50}'
-#}

{% macro pef_gx_volume_sql(relation, date_column, lookback_days) %}
with daily as (
    select cast({{ adapter.quote(date_column) }} as date) as day, count(*) as row_count
    from {{ relation }}
    where {{ adapter.quote(date_column) }} is not null
    group by 1
),
latest as (
    select max(day) as day from daily
),
baseline as (
    select avg(daily.row_count * 1.0) as avg_rows, count(*) as days
    from daily cross join latest
    where daily.day < latest.day
      and daily.day >= cast({{ dbt.dateadd('day', -1 * (lookback_days | int), 'latest.day') }} as date)
)
select
    latest.day as latest_day,
    daily.row_count as latest_rows,
    cast(baseline.avg_rows as numeric(18, 2)) as baseline_avg_rows,
    baseline.days as baseline_days,
    cast(case when baseline.avg_rows > 0
              then 100.0 * (daily.row_count - baseline.avg_rows) / baseline.avg_rows end as numeric(18, 2)) as pct_change
from latest
join daily on daily.day = latest.day
cross join baseline
{% endmacro %}

{% macro check_data_volume_anomaly(model, date_column, threshold_pct=50, lookback_days=7) %}
    {% if model is string %}
        {% set relation = ref(model) %}
    {% else %}
        {% set relation = model %}
    {% endif %}
    {% set verdict_sql = pef_gx_volume_sql(relation, date_column, lookback_days) %}
    {% set anomaly_sql %}
        select * from ({{ verdict_sql }}) verdict
        where baseline_days > 0 and abs(pct_change) > {{ threshold_pct | float }}
    {% endset %}
    {% if model is string %}
        {% if execute %}
            {% set table = run_query(verdict_sql) %}
            {% if table.rows | length == 0 %}
                {% do log("volume " ~ model ~ ": no rows with a " ~ date_column, info=true) %}
                {% do return(none) %}
            {% endif %}
            {% set row = table.rows[0] %}
            {% set pct = row['pct_change'] %}
            {% set is_anomaly = row['baseline_days'] > 0 and pct is not none and (pct | float | abs) > (threshold_pct | float) %}
            {% do log("volume " ~ model ~ " " ~ row['latest_day'] ~ ": " ~ row['latest_rows'] ~ " rows vs "
                ~ row['baseline_avg_rows'] ~ " a day over the previous " ~ row['baseline_days'] ~ " day(s) ("
                ~ pct ~ " %), threshold " ~ threshold_pct ~ " %: " ~ ("ANOMALY" if is_anomaly else "ok"), info=true) %}
            {% if is_anomaly %}
                {{ exceptions.raise_compiler_error("volume anomaly in " ~ model ~ ": " ~ pct ~ " % on " ~ row['latest_day']) }}
            {% endif %}
        {% endif %}
        {% do return(none) %}
    {% endif %}
    {{ return(anomaly_sql) }}
{% endmacro %}
