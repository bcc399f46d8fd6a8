-- One row per trade date, market and counterparty: how many active trades went from
-- execution to settlement with no break (straight-through), of those due to settle.
with

trades as (
    select * from {{ ref('int_trades_traced') }}
    where trade_status = 'active'
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

classified as (
    select
        trades.*,
        trades.intended_settlement_date <= as_of.as_of_date as is_due,
        trades.is_fully_settled and trades.break_count = 0 as is_straight_through
    from trades
    cross join as_of
),

grouped as (
    select
        trade_date,
        market_mic,
        counterparty_lei,
        count(*) as trade_count,
        sum(case when is_due then 1 else 0 end) as due_trade_count,
        sum(case when is_fully_settled then 1 else 0 end) as settled_trade_count,
        sum(case when break_count > 0 then 1 else 0 end) as trade_with_break_count,
        sum(case when is_straight_through then 1 else 0 end) as straight_through_trade_count
    from classified
    group by trade_date, market_mic, counterparty_lei
),

final as (
    select
        trade_date,
        cast(market_mic as varchar) as market_mic,
        cast(counterparty_lei as varchar) as counterparty_lei,
        cast(trade_count as integer) as trade_count,
        cast(due_trade_count as integer) as due_trade_count,
        cast(settled_trade_count as integer) as settled_trade_count,
        cast(trade_with_break_count as integer) as trade_with_break_count,
        cast(straight_through_trade_count as integer) as straight_through_trade_count,
        cast(
            {{ divide_decimal('straight_through_trade_count', 'due_trade_count', 6) }}
            as decimal(9, 6)
        ) as stp_rate
    from grouped
)

select * from final
