-- One row per original fill (150=F), with every later correction (150=G) and bust (150=H)
-- applied: the latest amendment by event time wins, whatever order the files arrived in.
with recursive

execution_reports as (
    select * from {{ ref('stg_oms__execution_reports') }}
    where exec_event in ('fill', 'correction', 'bust')
),

-- The same message delivered twice (a resend, a re-dropped file) counts once.
distinct_reports as (
    select *
    from (
        select
            execution_reports.*,
            row_number() over (
                partition by execution_reports.exec_id
                order by
                    execution_reports.sending_at,
                    execution_reports.source_file,
                    execution_reports.message_index
            ) as delivery_rank
        from execution_reports
    ) as ranked
    where delivery_rank = 1
),

fills as (
    select * from distinct_reports
    where exec_event = 'fill'
),

amendments as (
    select * from distinct_reports
    where exec_event in ('correction', 'bust')
),

-- A correction may amend an earlier correction: follow ExecRefID back to the fill.
amendment_links (exec_id, amended_exec_id, link_depth) as (
    select
        exec_id,
        exec_ref_id,
        1
    from amendments
    union all
    select
        amendment_links.exec_id,
        amendments.exec_ref_id,
        amendment_links.link_depth + 1
    from amendment_links
    inner join amendments on amendment_links.amended_exec_id = amendments.exec_id
    where amendment_links.link_depth < 50
),

amendment_fills as (
    select
        exec_id,
        amended_exec_id as fill_exec_id
    from (
        select
            amendment_links.*,
            row_number()
                over (partition by amendment_links.exec_id order by amendment_links.link_depth desc)
                as depth_rank
        from amendment_links
    ) as ranked_links
    where depth_rank = 1
),

fill_events as (
    select
        fills.exec_id as fill_exec_id,
        fills.exec_id,
        fills.exec_event,
        fills.last_quantity,
        fills.last_price,
        fills.transact_at,
        fills.sending_at,
        fills.msg_seq_num
    from fills
    union all
    select
        amendment_fills.fill_exec_id,
        amendments.exec_id,
        amendments.exec_event,
        amendments.last_quantity,
        amendments.last_price,
        amendments.transact_at,
        amendments.sending_at,
        amendments.msg_seq_num
    from amendments
    inner join amendment_fills on amendments.exec_id = amendment_fills.exec_id
),

ranked_events as (
    select
        fill_events.*,
        row_number() over (
            partition by fill_events.fill_exec_id
            order by
                fill_events.transact_at desc,
                fill_events.sending_at desc,
                fill_events.msg_seq_num desc,
                fill_events.exec_id desc
        ) as recency_rank,
        sum(case when fill_events.exec_event = 'correction' then 1 else 0 end)
            over (partition by fill_events.fill_exec_id) as correction_count,
        sum(case when fill_events.exec_event = 'bust' then 1 else 0 end)
            over (partition by fill_events.fill_exec_id) as bust_count
    from fill_events
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
