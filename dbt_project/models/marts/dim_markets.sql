-- One row per market (ISO 10383 MIC) from the markets seed: region, country, currency, time
-- zone, settlement cycle and our place of settlement there.
with

markets as (
    select * from {{ ref('markets') }}
),

places as (
    select * from {{ ref('places_of_settlement') }}
),

final as (
    select
        cast(markets.market_mic as varchar) as market_mic,
        cast(markets.market_name as varchar) as market_name,
        cast(markets.region as varchar) as region,
        cast(markets.country_code as varchar) as country_code,
        cast(markets.currency_code as varchar) as currency_code,
        cast(markets.timezone as varchar) as market_timezone,
        cast(markets.settlement_cycle_days as integer) as settlement_cycle_days,
        cast(places.place_of_settlement_bic as varchar) as place_of_settlement_bic,
        cast(places.csd_name as varchar) as csd_name
    from markets
    left join places on markets.market_mic = places.market_mic
)

select * from final
