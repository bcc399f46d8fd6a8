-- One row per reference-data difference on an ISIN traded on a business date (an active
-- trade with that trade date): the instrument data on our trades (the trade's currency and
-- market, the market's settlement cycle from the markets seed) against refdata's
-- instruments snapshot for that date (the latest snapshot on or before it).
-- reference_mismatch per field (currency, mic, settlement_cycle): left ours, right
-- refdata's, compared only where both state the field; missing_reference_data: the
-- snapshot has no row for the ISIN.
-- trade_ref is the ISIN.
with

trades as (
    select * from {{ ref('fct_trades') }}
),

instruments as (
    select * from {{ ref('stg_refdata__instruments') }}
),

markets as (
    select * from {{ ref('markets') }}
),

traded as (
    select
        trades.trade_date as business_date,
        trades.isin,
        min(trades.market_mic) as market_mic,
        min(trades.currency_code) as currency_code,
        min(markets.settlement_cycle_days) as settlement_cycle_days
    from trades
    left join markets on trades.market_mic = markets.market_mic
    where trades.trade_status = 'active'
    group by trades.trade_date, trades.isin
),

snapshot_dates as (
    select distinct as_of_date from instruments
),

-- The snapshot a trade date is checked against: that day's, else the latest before it.
traded_snapshots as (
    select
        traded.business_date,
        traded.isin,
        max(snapshot_dates.as_of_date) as snapshot_date
    from traded
    inner join snapshot_dates on traded.business_date >= snapshot_dates.as_of_date
    group by traded.business_date, traded.isin
),

-- One row per ISIN and snapshot (a snapshot delivered twice: its latest delivery).
reference as (
    select *
    from (
        select
            instruments.*,
            row_number() over (
                partition by instruments.isin, instruments.as_of_date
                order by instruments.source_file desc, instruments.message_index desc
            ) as delivery_rank
        from instruments
    ) as ranked
    where delivery_rank = 1
),

compared as (
    select
        traded.business_date,
        traded.isin,
        traded.currency_code,
        traded.market_mic,
        traded.settlement_cycle_days,
        reference.isin is null as is_missing,
        reference.currency_code as reference_currency_code,
        reference.market_mic as reference_market_mic,
        reference.settlement_cycle_days as reference_settlement_cycle_days
    from traded
    left join traded_snapshots
        on
            traded.business_date = traded_snapshots.business_date
            and traded.isin = traded_snapshots.isin
    left join reference
        on
            traded.isin = reference.isin
            and traded_snapshots.snapshot_date = reference.as_of_date
),

final as (
    select
        'missing_reference_data' as break_type,
        business_date,
        isin as trade_ref,
        cast(null as varchar) as field,
        cast(null as varchar) as left_value,
        cast(null as varchar) as right_value
    from compared
    where is_missing
    union all
    select
        'reference_mismatch' as break_type,
        business_date,
        isin as trade_ref,
        'currency' as field,
        currency_code as left_value,
        reference_currency_code as right_value
    from compared
    where not is_missing and currency_code <> reference_currency_code
    union all
    select
        'reference_mismatch' as break_type,
        business_date,
        isin as trade_ref,
        'mic' as field,
        market_mic as left_value,
        reference_market_mic as right_value
    from compared
    where not is_missing and market_mic <> reference_market_mic
    union all
    select
        'reference_mismatch' as break_type,
        business_date,
        isin as trade_ref,
        'settlement_cycle' as field,
        cast(settlement_cycle_days as varchar) as left_value,
        cast(reference_settlement_cycle_days as varchar) as right_value
    from compared
    where
        not is_missing
        and settlement_cycle_days <> reference_settlement_cycle_days
)

select
    'reference' as recon,
    final.*,
    cast(null as decimal(28, 10)) as difference
from final
