{#-
  A post-hook for every model: on PostgreSQL, ANALYZE a table the model just (re)built.
  A table built by `create table as` or filled by an incremental insert has no planner
  statistics until autovacuum reaches it, so the next model's query was planned as if it
  held a few rows (nested loops over hundreds of thousands). DuckDB keeps its statistics
  as it writes: nothing to do there, and nothing for views.
-#}
{% macro refresh_statistics() %}
    {%- if target.type == 'postgres' and model.config.materialized in ('table', 'incremental') -%}
        analyze {{ this }}
    {%- endif -%}
{% endmacro %}
