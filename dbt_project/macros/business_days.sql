{#- The business date ages and fail days are measured to: the `as_of_date` var when given,
    else the latest business date in the model's own data. Use as a select expression. -#}
{% macro as_of_date(business_date_column) -%}
    {%- if var('as_of_date') -%}
        cast('{{ var("as_of_date") }}' as date)
    {%- else -%}
        max({{ business_date_column }})
    {%- endif -%}
{%- endmacro %}

{#- Business days after `start_date` up to and including `end_date`, from a CTE named
    `business_days` (int_business_days): what an age or a fail counts in. -#}
{% macro business_days_after(start_date, end_date) -%}
    (
        select count(*)
        from business_days
        where
            business_days.is_business_day
            and business_days.calendar_date > {{ start_date }}
            and business_days.calendar_date <= {{ end_date }}
    )
{%- endmacro %}
