-- One row per trade (an OMS order) and revision: the trade's history, never updated in place.
-- Revision 1 is the new trade; every correction (150=G) or bust (150=H) of any of its fills
-- opens the next one, in event order (TransactTime 60, then MsgSeqNum 34), never in arrival
-- order. A revision's state is its fills executed before it ended, each with the amendments
-- up to the revision applied. `version` is the trade's version as reported to the ARM: 1 plus
-- the corrections applied (a bust changes the trade but not its reported version).
with

events as (
    select * from {{ ref('int_execution_events_linked') }}
),

markets as (
    select * from {{ ref('markets') }}
),

fills as (
    select
        events.*,
        events.order_id as trade_id
    from events
    where events.exec_event = 'fill'
),

amendments as (
    select
        events.*,
        fills.trade_id,
        row_number() over (
            partition by fills.trade_id
            order by events.transact_at, events.msg_seq_num, events.exec_id
        ) as amendment_number
    from events
    inner join fills on events.fill_exec_id = fills.exec_id
    where events.exec_event in ('correction', 'bust')
),

new_trades as (
    select
        trade_id,
        exec_id,
        transact_at,
        sending_at,
        business_date
    from (
        select
            fills.*,
            row_number() over (
                partition by fills.trade_id
                order by fills.transact_at, fills.msg_seq_num, fills.exec_id
            ) as fill_number
        from fills
    ) as numbered_fills
    where fill_number = 1
),

revision_starts as (
    select
        trade_id,
        1 as revision,
        'new' as opening_event,
        exec_id as opening_exec_id,
        transact_at as valid_from_at,
        sending_at as recorded_at,
        business_date
    from new_trades
    union all
    select
        trade_id,
        amendment_number + 1 as revision,
        exec_event as opening_event,
        exec_id as opening_exec_id,
        transact_at as valid_from_at,
        sending_at as recorded_at,
        business_date
    from amendments
),

revisions as (
    select
        revision_starts.*,
        lead(revision_starts.valid_from_at) over (
            partition by revision_starts.trade_id order by revision_starts.revision
        ) as valid_to_at,
        1 + sum(case when revision_starts.opening_event = 'correction' then 1 else 0 end) over (
            partition by revision_starts.trade_id
            order by revision_starts.revision
            rows between unbounded preceding and current row
        ) as version
    from revision_starts
),

-- Every fill of a revision with each event that may stand for it in that revision: the
-- fill itself (number 0) and its amendments up to the revision.
fill_candidates as (
    select
        revisions.trade_id,
        revisions.revision,
        fills.exec_id as fill_exec_id,
        0 as amendment_number,
        fills.exec_event,
        fills.last_quantity,
        fills.last_price
    from revisions
    inner join fills
        on
            revisions.trade_id = fills.trade_id
            and (revisions.valid_to_at is null or revisions.valid_to_at > fills.transact_at)
    union all
    select
        revisions.trade_id,
        revisions.revision,
        amendments.fill_exec_id,
        amendments.amendment_number,
        amendments.exec_event,
        amendments.last_quantity,
        amendments.last_price
    from revisions
    inner join amendments
        on
            revisions.trade_id = amendments.trade_id
            and revisions.revision > amendments.amendment_number
),

fill_states as (
    select
        trade_id,
        revision,
        exec_event,
        cast(case when exec_event = 'bust' then 0 else last_quantity end as decimal(28, 6))
            as quantity,
        last_price as price
    from (
        select
            fill_candidates.*,
            row_number() over (
                partition by
                    fill_candidates.trade_id,
                    fill_candidates.revision,
                    fill_candidates.fill_exec_id
                order by fill_candidates.amendment_number desc
            ) as recency_rank
        from fill_candidates
    ) as ranked_candidates
    where recency_rank = 1
),

revision_totals as (
    select
        trade_id,
        revision,
        count(*) as fill_count,
        sum(case when exec_event = 'bust' then 1 else 0 end) as busted_fill_count,
        sum(quantity) as quantity,
        sum(quantity * price) as gross_amount_unrounded
    from fill_states
    group by trade_id, revision
),

trade_attributes as (
    select
        trade_id,
        min(side) as side,
        min(isin) as isin,
        min(market_mic) as market_mic,
        min(currency_code) as currency_code,
        min(trade_date) as trade_date
    from fills
    group by trade_id
),

final as (
    select
        cast(revisions.trade_id || ':' || cast(revisions.revision as varchar) as varchar)
            as trade_revision_id,
        cast(revisions.trade_id as varchar) as trade_id,
        cast(revisions.revision as integer) as revision,
        cast(revisions.version as integer) as version,
        cast(revisions.opening_event as varchar) as opening_event,
        cast(revisions.opening_exec_id as varchar) as opening_exec_id,
        revisions.valid_from_at,
        revisions.valid_to_at,
        revisions.recorded_at,
        trade_attributes.trade_date,
        revisions.business_date,
        cast(trade_attributes.side as varchar) as side,
        cast(trade_attributes.isin as varchar) as isin,
        cast(trade_attributes.market_mic as varchar) as market_mic,
        cast(markets.timezone as varchar) as market_timezone,
        cast(trade_attributes.currency_code as varchar) as currency_code,
        cast(coalesce(revision_totals.quantity, 0) as decimal(28, 6)) as quantity,
        cast(
            {{ divide_decimal(
                'revision_totals.gross_amount_unrounded', 'revision_totals.quantity', 10
            ) }}
            as decimal(28, 10)
        ) as average_price,
        cast(round(coalesce(revision_totals.gross_amount_unrounded, 0), 6) as decimal(28, 6))
            as gross_amount,
        cast(coalesce(revision_totals.fill_count, 0) as integer) as fill_count,
        cast(coalesce(revision_totals.busted_fill_count, 0) as integer) as busted_fill_count,
        revisions.valid_to_at is null as is_current,
        not coalesce(revision_totals.quantity > 0, false) as is_cancelled
    from revisions
    inner join trade_attributes on revisions.trade_id = trade_attributes.trade_id
    left join revision_totals
        on
            revisions.trade_id = revision_totals.trade_id
            and revisions.revision = revision_totals.revision
    left join markets on trade_attributes.market_mic = markets.market_mic
)

select * from final
