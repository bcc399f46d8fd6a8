-- Control total: the current allocation lines of a trade add up to its net traded quantity
-- (after corrections and busts). Returns the trades where they do not.
{{ config(meta={'posttrade_severity': 'warn', 'dagster': {'ref': {'name': 'fct_allocations'}}}) }}

with

allocated as (
    select
        trade_id,
        sum(quantity) as allocated_quantity
    from {{ ref('fct_allocations') }}
    where is_current and trade_id is not null
    group by trade_id
),

trades as (
    select * from {{ ref('fct_trades') }}
)

select
    trades.trade_id,
    trades.quantity,
    allocated.allocated_quantity
from trades
inner join allocated on trades.trade_id = allocated.trade_id
where trades.quantity <> allocated.allocated_quantity
