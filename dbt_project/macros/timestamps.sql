{#- `at time zone` with the same meaning on DuckDB and PostgreSQL: a local wall-clock
    timestamp read in the IANA zone `timezone` (a column or a quoted literal) becomes an
    instant (timestamp with time zone); an instant becomes the wall-clock time there. -#}
{% macro at_time_zone(expression, timezone) -%}
    ({{ expression }}) at time zone {{ timezone }}
{%- endmacro %}

{#- An instant (timestamp with time zone) as UTC ISO 8601 text with milliseconds and Z
    (`2026-11-25T04:00:00.000Z`), the same on every warehouse whatever the session's zone. -#}
{% macro instant_to_iso_text(expression) -%}
    {{ return(adapter.dispatch('instant_to_iso_text')(expression)) }}
{%- endmacro %}

{% macro duckdb__instant_to_iso_text(expression) -%}
    strftime(({{ expression }}) at time zone 'UTC', '%Y-%m-%dT%H:%M:%S.%gZ')
{%- endmacro %}

{% macro postgres__instant_to_iso_text(expression) -%}
    to_char(({{ expression }}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
{%- endmacro %}
