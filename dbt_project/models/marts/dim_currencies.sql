-- One row per ISO 4217 currency of the currencies seed: its minor units and the markets that
-- trade in it.
with

currencies as (
    select * from {{ ref('currencies') }}
),

markets as (
    select * from {{ ref('markets') }}
),

market_counts as (
    select
        currency_code,
        count(*) as market_count
    from markets
    group by currency_code
),

final as (
    select
        cast(currencies.currency_code as varchar) as currency_code,
        cast(currencies.minor_units as integer) as minor_units,
        cast(coalesce(market_counts.market_count, 0) as integer) as market_count
    from currencies
    left join market_counts on currencies.currency_code = market_counts.currency_code
)

select * from final
