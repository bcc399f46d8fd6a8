-- One row per instrument (ISIN): the reference data vendor's latest snapshot, with its
-- market's time zone and region.
with

instruments as (
    select * from {{ ref('stg_refdata__instruments') }}
),

markets as (
    select * from {{ ref('markets') }}
),

latest as (
    select *
    from (
        select
            instruments.*,
            row_number() over (
                partition by instruments.isin
                order by instruments.as_of_date desc, instruments.source_file desc
            ) as snapshot_rank
        from instruments
    ) as ranked
    where snapshot_rank = 1
),

final as (
    select
        cast(latest.isin as varchar) as isin,
        cast(latest.name as varchar) as instrument_name,
        cast(latest.ticker as varchar) as ticker,
        cast(latest.cfi as varchar) as cfi_code,
        cast(latest.market_mic as varchar) as market_mic,
        cast(latest.currency_code as varchar) as currency_code,
        cast(latest.asset_class as varchar) as asset_class,
        latest.is_liquid,
        cast(latest.settlement_cycle_days as integer) as settlement_cycle_days,
        cast(markets.timezone as varchar) as market_timezone,
        cast(markets.region as varchar) as region,
        latest.as_of_date
    from latest
    left join markets on latest.market_mic = markets.market_mic
)

select * from final
