-- The current view is derived from the history: every trade has exactly one current
-- revision, and it carries fct_trades' quantity, average price, gross amount and status.
-- Returns the trades where they differ.
with

current_versions as (
    select * from {{ ref('fct_trade_versions') }}
    where is_current
),

trades as (
    select * from {{ ref('fct_trades') }}
),

current_counts as (
    select
        trade_id,
        count(*) as current_count
    from current_versions
    group by trade_id
)

select
    trades.trade_id,
    trades.quantity,
    current_versions.quantity as version_quantity
from trades
left join current_versions on trades.trade_id = current_versions.trade_id
left join current_counts on trades.trade_id = current_counts.trade_id
where
    current_counts.current_count is null
    or current_counts.current_count <> 1
    or trades.quantity <> current_versions.quantity
    or trades.gross_amount <> current_versions.gross_amount
    or coalesce(trades.average_price <> current_versions.average_price, true)
    and not (trades.average_price is null and current_versions.average_price is null)
    or (trades.trade_status = 'cancelled') <> current_versions.is_cancelled
