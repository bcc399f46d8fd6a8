-- One row per execution event (fill 150=F, correction 150=G, bust 150=H) delivered, counted
-- once, with the original fill it applies to: a correction may amend an earlier correction,
-- so ExecRefID (19) is followed back to the fill. An amendment whose chain reaches no fill
-- keeps its deepest ExecRefID (assert_every_amendment_names_a_known_fill reports it).
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

amendments as (
    select * from distinct_reports
    where exec_event in ('correction', 'bust')
),

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

final as (
    select
        coalesce(amendment_fills.fill_exec_id, distinct_reports.exec_id) as fill_exec_id,
        distinct_reports.exec_id,
        distinct_reports.exec_ref_id,
        distinct_reports.exec_event,
        distinct_reports.order_id,
        distinct_reports.cl_ord_id,
        distinct_reports.account,
        distinct_reports.side,
        distinct_reports.isin,
        distinct_reports.symbol,
        distinct_reports.currency_code,
        distinct_reports.market_mic,
        distinct_reports.executing_broker_lei,
        distinct_reports.order_quantity,
        distinct_reports.last_quantity,
        distinct_reports.last_price,
        distinct_reports.trade_date,
        distinct_reports.settlement_date,
        distinct_reports.transact_at,
        distinct_reports.sending_at,
        distinct_reports.msg_seq_num,
        distinct_reports.business_date
    from distinct_reports
    left join amendment_fills on distinct_reports.exec_id = amendment_fills.exec_id
)

select * from final
