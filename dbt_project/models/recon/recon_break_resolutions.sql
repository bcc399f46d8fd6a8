-- One row per break that a later event of the platforms ended: the business date it ended
-- and the event that ended it. A break without a row here is still open.
with

settlement_breaks as (
    select * from {{ ref('recon_settlement') }}
),

events as (
    select * from {{ ref('fct_settlement_events') }}
),

settlements as (
    select * from {{ ref('fct_settlements') }}
),

-- The custodian matched the instruction after reporting it unmatched (or after an SSI
-- correction): the first matched status after the break's day.
matched_later as (
    select
        settlement_breaks.recon,
        settlement_breaks.break_type,
        settlement_breaks.trade_ref,
        min(events.business_date) as resolved_date,
        'matched' as resolving_event
    from settlement_breaks
    inner join events
        on
            settlement_breaks.trade_ref = events.instruction_ref
            and events.matching_status = 'matched'
            and settlement_breaks.business_date < events.business_date
    where settlement_breaks.break_type in ('unmatched_instruction', 'ssi_mismatch')
    group by settlement_breaks.recon, settlement_breaks.break_type, settlement_breaks.trade_ref
),

-- A fail or a partial ends when the whole instructed quantity has settled.
settled_later as (
    select
        settlement_breaks.recon,
        settlement_breaks.break_type,
        settlement_breaks.trade_ref,
        settlements.actual_settlement_date as resolved_date,
        'settled' as resolving_event
    from settlement_breaks
    inner join settlements
        on settlement_breaks.trade_ref = settlements.instruction_ref
    where
        settlement_breaks.break_type in ('settlement_fail', 'partial_settlement')
        and settlements.actual_settlement_date > settlement_breaks.business_date
),

-- The custodian's first report on an instruction it had said nothing about by the
-- intended settlement date (the break's date): the status arrived late.
status_received_later as (
    select
        settlement_breaks.recon,
        settlement_breaks.break_type,
        settlement_breaks.trade_ref,
        min(events.business_date) as resolved_date,
        'status_received' as resolving_event
    from settlement_breaks
    inner join events
        on
            settlement_breaks.trade_ref = events.instruction_ref
            and settlement_breaks.business_date < events.business_date
    where settlement_breaks.break_type = 'missing_settlement_status'
    group by settlement_breaks.recon, settlement_breaks.break_type, settlement_breaks.trade_ref
),

resolved as (
    select * from matched_later
    union all
    select * from settled_later
    union all
    select * from status_received_later
),

final as (
    select
        cast(recon as varchar) as recon,
        cast(break_type as varchar) as break_type,
        cast(trade_ref as varchar) as trade_ref,
        cast(resolved_date as date) as resolved_date,
        cast(resolving_event as varchar) as resolving_event
    from resolved
)

select * from final
