-- One row per counterparty (LEI): the reference data vendor's latest snapshot.
with

counterparties as (
    select * from {{ ref('stg_refdata__counterparties') }}
),

latest as (
    select *
    from (
        select
            counterparties.*,
            row_number() over (
                partition by counterparties.lei
                order by counterparties.as_of_date desc, counterparties.source_file desc
            ) as snapshot_rank
        from counterparties
    ) as ranked
    where snapshot_rank = 1
),

final as (
    select
        cast(lei as varchar) as lei,
        cast(bic as varchar) as bic,
        cast(name as varchar) as counterparty_name,
        cast(country as varchar) as country_code,
        as_of_date
    from latest
)

select * from final
