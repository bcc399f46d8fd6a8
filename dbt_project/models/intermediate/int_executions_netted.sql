-- One row per original fill (150=F), with every later correction (150=G) and bust (150=H)
-- applied: the latest amendment by event time wins, whatever order the files arrived in.
with

events as (
    select * from {{ ref('int_execution_events_linked') }}
),

fills as (
    select * from events
    where exec_event = 'fill'
),

ranked_events as (
    select
        events.*,
        row_number() over (
            partition by events.fill_exec_id
            order by
                events.transact_at desc,
                events.sending_at desc,
                events.msg_seq_num desc,
                events.exec_id desc
        ) as recency_rank,
        sum(case when events.exec_event = 'correction' then 1 else 0 end)
            over (partition by events.fill_exec_id) as correction_count,
        sum(case when events.exec_event = 'bust' then 1 else 0 end)
            over (partition by events.fill_exec_id) as bust_count
    from events
),

latest_events as (
    select * from ranked_events
    where recency_rank = 1
),

final as (
    select
        fills.exec_id,
        fills.order_id,
        fills.cl_ord_id,
        fills.account,
        fills.side,
        fills.isin,
        fills.symbol,
        fills.currency_code,
        fills.market_mic,
        fills.executing_broker_lei,
        fills.order_quantity,
        fills.trade_date,
        fills.settlement_date,
        fills.transact_at as executed_at,
        fills.last_quantity as original_quantity,
        fills.last_price as original_price,
        cast(
            case when latest_events.exec_event = 'bust' then 0 else latest_events.last_quantity end
            as decimal(28, 6)
        ) as quantity,
        latest_events.last_price as price,
        latest_events.exec_id as latest_exec_id,
        latest_events.exec_event = 'bust' as is_busted,
        latest_events.correction_count,
        latest_events.bust_count,
        latest_events.transact_at as last_amended_at,
        fills.business_date
    from fills
    inner join latest_events on fills.exec_id = latest_events.fill_exec_id
)

select * from final
