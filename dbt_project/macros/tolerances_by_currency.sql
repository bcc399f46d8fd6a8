{#- The tolerance of every compared field for every currency the rows carry, one row per
    (currency_code, field): a currency-specific row of the recon_tolerances seed wins over
    its `*` default. `tolerances` is a CTE of the seed already narrowed to one recon;
    `rows` a CTE with a currency_code column. A null currency takes the `*` default. -#}
{% macro tolerances_by_currency(tolerances, rows) -%}
    select
        currencies.currency_code,
        fields.field,
        coalesce(specific.abs_tolerance, fallback.abs_tolerance) as abs_tolerance,
        coalesce(specific.rel_tolerance, fallback.rel_tolerance) as rel_tolerance
    from (select distinct {{ rows }}.currency_code from {{ rows }}) as currencies
    cross join (select distinct {{ tolerances }}.field from {{ tolerances }}) as fields
    left join {{ tolerances }} as specific
        on
            fields.field = specific.field
            and currencies.currency_code = specific.currency_code
    left join {{ tolerances }} as fallback
        on
            fields.field = fallback.field
            and fallback.currency_code = '*'
{%- endmacro %}

{#- The rows of tolerances_by_currency turned into one row per currency with a
    `<field>_abs_tolerance` and `<field>_rel_tolerance` column per compared field, ready to
    join to the compared pairs by currency_code. -#}
{% macro tolerances_per_field(currency_tolerances, fields) -%}
    select
        currency_code,
        {%- for field in fields %}
        max(case when field = '{{ field }}' then abs_tolerance end) as {{ field }}_abs_tolerance,
        max(case when field = '{{ field }}' then rel_tolerance end) as {{ field }}_rel_tolerance
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ currency_tolerances }}
    group by currency_code
{%- endmacro %}
