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
