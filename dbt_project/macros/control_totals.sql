{#- The rows of two totals CTEs (`raw_totals` from raw.*, `mart_totals` from a mart) that
    differ: joined on `keys`, a measure missing on one side counts as 0. For the control-total
    tests (tests/assert_control_totals_*.sql). -#}
{% macro control_total_differences(keys, measures) -%}
select
    {%- for key in keys %}
    coalesce(raw_totals.{{ key }}, mart_totals.{{ key }}) as {{ key }},
    {%- endfor %}
    {%- for measure in measures %}
    raw_totals.{{ measure }} as raw_{{ measure }},
    mart_totals.{{ measure }} as mart_{{ measure }}{{ ',' if not loop.last }}
    {%- endfor %}
from raw_totals
full outer join mart_totals
    on
    {%- for key in keys %}
        {{ 'and ' if not loop.first }}raw_totals.{{ key }} = mart_totals.{{ key }}
    {%- endfor %}
where
    {%- for measure in measures %}
    {{ 'or ' if not loop.first }}coalesce(raw_totals.{{ measure }}, 0)
    <> coalesce(mart_totals.{{ measure }}, 0)
    {%- endfor %}
{%- endmacro %}
