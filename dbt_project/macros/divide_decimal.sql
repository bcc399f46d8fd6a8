{#- Exact decimal division rounded half away from zero to `scale` places.
    DuckDB turns DECIMAL / DECIMAL into DOUBLE, which money must never pass through, so on
    DuckDB the quotient is computed on scaled HUGEINTs; PostgreSQL's numeric is exact. -#}
{% macro divide_decimal(numerator, denominator, scale=10) -%}
    {{ return(adapter.dispatch('divide_decimal')(numerator, denominator, scale)) }}
{%- endmacro %}

{% macro default__divide_decimal(numerator, denominator, scale) -%}
    round(cast({{ numerator }} as numeric) / nullif(cast({{ denominator }} as numeric), 0), {{ scale }})
{%- endmacro %}

{% macro duckdb__divide_decimal(numerator, denominator, scale) -%}
    {%- set unit = "10000000000" -%}
    {%- set n = "cast(cast(" ~ numerator ~ " as decimal(38, 10)) * " ~ unit ~ " as hugeint)" -%}
    {%- set d = "cast(cast(" ~ denominator ~ " as decimal(38, 10)) * " ~ unit ~ " as hugeint)" -%}
    (case
        when {{ d }} = 0 then null
        else cast(
            sign({{ n }}) * sign({{ d }})
            * ((abs({{ n }}) * {{ 10 ** scale }} * 2 + abs({{ d }})) // (2 * abs({{ d }})))
            as decimal(38, 0)
        ) * cast({{ '0.' ~ '0' * (scale - 1) ~ '1' }} as decimal({{ scale + 1 }}, {{ scale }}))
    end)
{%- endmacro %}
