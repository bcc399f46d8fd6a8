-- One row per trade (an OMS order), net of corrections and busts.
with

executions as (
    select * from {{ ref('int_executions_netted') }}
),

markets as (
    select * from {{ ref('markets') }}
),

trade_totals as (
    select
        order_id,
        min(cl_ord_id) as cl_ord_id,
        min(account) as account,
        min(side) as side,
        min(isin) as isin,
        min(symbol) as symbol,
        min(currency_code) as currency_code,
        min(market_mic) as market_mic,
        min(executing_broker_lei) as executing_broker_lei,
        max(order_quantity) as order_quantity,
        min(trade_date) as trade_date,
        min(settlement_date) as settlement_date,
        min(business_date) as business_date,
        count(*) as fill_count,
        sum(case when correction_count > 0 then 1 else 0 end) as corrected_fill_count,
        sum(case when is_busted then 1 else 0 end) as busted_fill_count,
        sum(quantity) as quantity,
        sum(quantity * price) as gross_amount_unrounded,
        min(executed_at) as first_executed_at,
        max(executed_at) as last_executed_at
    from executions
    group by order_id
),

final as (
    select
        cast(trade_totals.order_id as varchar) as trade_id,
        cast(trade_totals.cl_ord_id as varchar) as cl_ord_id,
        trade_totals.trade_date,
        trade_totals.settlement_date,
        trade_totals.business_date,
        cast(trade_totals.side as varchar) as side,
        cast(trade_totals.isin as varchar) as isin,
        cast(trade_totals.symbol as varchar) as symbol,
        cast(trade_totals.market_mic as varchar) as market_mic,
        cast(markets.timezone as varchar) as market_timezone,
        cast(trade_totals.currency_code as varchar) as currency_code,
        cast(trade_totals.executing_broker_lei as varchar) as executing_broker_lei,
        cast(trade_totals.account as varchar) as account,
        cast(trade_totals.order_quantity as decimal(28, 6)) as order_quantity,
        cast(trade_totals.quantity as decimal(28, 6)) as quantity,
        cast(
            {{ divide_decimal('trade_totals.gross_amount_unrounded', 'trade_totals.quantity', 10) }}
            as decimal(28, 10)
        ) as average_price,
        cast(round(trade_totals.gross_amount_unrounded, 6) as decimal(28, 6)) as gross_amount,
        cast(trade_totals.fill_count as integer) as fill_count,
        cast(trade_totals.corrected_fill_count as integer) as corrected_fill_count,
        cast(trade_totals.busted_fill_count as integer) as busted_fill_count,
        cast(case when trade_totals.quantity > 0 then 'active' else 'cancelled' end as varchar)
            as trade_status,
        trade_totals.first_executed_at,
        trade_totals.last_executed_at,
        -- The market's wall clock beside UTC: deadlines and cut-offs are local.
        cast(trade_totals.first_executed_at at time zone markets.timezone as timestamp)
            as first_executed_local_at
    from trade_totals
    left join markets on trade_totals.market_mic = markets.market_mic
)

select * from final
