-- One row: the business date ages, fails and due dates are measured to. The `as_of_date`
-- var when given, else the latest business date any platform delivered (the ingestion
-- ledger), so a platform that delivered nothing, or only older files, does not move it.
with

files as (
    select * from {{ ref('stg_ingestion__files') }}
),

final as (
    select
        {% if var('as_of_date') -%}
            cast('{{ var("as_of_date") }}' as date)
        {%- else -%}
            max(files.business_date)
        {%- endif %} as as_of_date
    from files
)

select * from final
