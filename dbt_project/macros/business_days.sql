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
