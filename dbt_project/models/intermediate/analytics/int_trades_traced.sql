-- One row per trade, traced through its lifecycle: when it was executed, allocated,
-- confirmed, affirmed and settled, and how many recon breaks touch it.
with

trades as (
    select * from {{ ref('fct_trades') }}
),

allocations as (
    select * from {{ ref('fct_allocations') }}
),

confirmations as (
    select * from {{ ref('fct_confirmations') }}
),

instructions as (
    select * from {{ ref('fct_settlement_instructions') }}
),

settlements as (
    select * from {{ ref('fct_settlements') }}
),

events as (
    select * from {{ ref('fct_settlement_events') }}
),

breaks as (
    select * from {{ ref('breaks') }}
),

allocated as (
    select
        trade_id,
        min(allocated_at) as allocated_at
    from allocations
    where is_current and trade_id is not null
    group by trade_id
),

confirmed as (
    select
        trade_id,
        max(confirmed_at) as confirmed_at,
        count(*) as confirmation_count,
        sum(case when affirm_status = 'affirmed' then 1 else 0 end) as affirmed_count,
        max(case when affirm_status = 'affirmed' then affirm_status_at end) as affirmed_at
    from confirmations
    where is_current and trade_id is not null
    group by trade_id
),

settled as (
    select
        settlements.trade_id,
        count(*) as instruction_count,
        sum(case when settlements.settlement_state = 'settled' then 1 else 0 end)
            as settled_instruction_count,
        max(settlements.intended_settlement_date) as intended_settlement_date,
        max(settlements.actual_settlement_date) as actual_settlement_date
    from settlements
    where settlements.trade_id is not null
    group by settlements.trade_id
),

settled_events as (
    select
        instructions.trade_id,
        max(events.event_at) as last_settled_at
    from events
    inner join instructions on events.instruction_ref = instructions.instruction_ref
    where events.event_type = 'settlement'
    group by instructions.trade_id
),

-- A break names its trade by the instruction reference (an IndividualAllocID), the
-- allocation line, the confirmation or the trade itself, depending on the recon.
break_trades as (
    select
        breaks.break_id,
        allocations.trade_id
    from breaks
    inner join allocations on breaks.allocation_line_id = allocations.allocation_line_id
    union
    select
        breaks.break_id,
        allocations.trade_id
    from breaks
    inner join allocations on breaks.trade_ref = allocations.individual_alloc_id
    union
    select
        breaks.break_id,
        confirmations.trade_id
    from breaks
    inner join confirmations on breaks.confirm_id = confirmations.confirm_id
    union
    select
        breaks.break_id,
        trades.trade_id
    from breaks
    inner join trades on breaks.trade_ref = trades.trade_id
),

broken as (
    select
        trade_id,
        count(distinct break_id) as break_count
    from break_trades
    where trade_id is not null
    group by trade_id
),

final as (
    select
        trades.trade_id,
        trades.trade_date,
        trades.business_date,
        trades.market_mic,
        trades.market_timezone,
        trades.executing_broker_lei as counterparty_lei,
        trades.account,
        trades.isin,
        trades.currency_code,
        trades.trade_status,
        trades.gross_amount,
        trades.first_executed_at,
        allocated.allocated_at,
        confirmed.confirmed_at,
        confirmed.affirmed_at,
        settled_events.last_settled_at as settled_at,
        coalesce(confirmed.confirmation_count, 0) as confirmation_count,
        coalesce(confirmed.affirmed_count, 0) as affirmed_count,
        coalesce(settled.instruction_count, 0) as instruction_count,
        coalesce(settled.settled_instruction_count, 0) as settled_instruction_count,
        coalesce(settled.intended_settlement_date, trades.settlement_date)
            as intended_settlement_date,
        settled.actual_settlement_date,
        coalesce(broken.break_count, 0) as break_count,
        coalesce(settled.instruction_count, 0) > 0
        and settled.settled_instruction_count = settled.instruction_count as is_fully_settled
    from trades
    left join allocated on trades.trade_id = allocated.trade_id
    left join confirmed on trades.trade_id = confirmed.trade_id
    left join settled on trades.trade_id = settled.trade_id
    left join settled_events on trades.trade_id = settled_events.trade_id
    left join broken on trades.trade_id = broken.trade_id
)

select * from final
