-- One row per current allocation line: its affirmation deadline in the market's own time
-- zone (affirmation_deadlines seed: a local time on trade date + N business days of the
-- market's calendar) and whether the confirmation platform affirmed it before then.
with

allocations as (
    select * from {{ ref('fct_allocations') }}
    where is_current
),

confirmations as (
    select * from {{ ref('fct_confirmations') }}
    where is_current and matched_allocation_line_id is not null
),

market_days as (
    select * from {{ ref('int_market_business_days') }}
),

deadlines as (
    select * from {{ ref('affirmation_deadlines') }}
),

-- The deadline rule in force on the trade date (the latest effective_from on or before it).
rules as (
    select *
    from (
        select
            allocations.allocation_line_id,
            deadlines.deadline_business_days_after_trade,
            cast(deadlines.deadline_local_time as time) as deadline_local_time,
            row_number() over (
                partition by allocations.allocation_line_id
                order by deadlines.effective_from desc
            ) as rule_rank
        from allocations
        inner join deadlines
            on
                allocations.market_mic = deadlines.mic
                and allocations.trade_date >= deadlines.effective_from
    ) as ranked
    where rule_rank = 1
),

-- The business day N business days after the trade date on the market's calendar.
deadline_dates as (
    select
        allocations.allocation_line_id,
        trade_days.market_timezone,
        rules.deadline_local_time,
        min(deadline_days.calendar_date) as deadline_date
    from allocations
    inner join rules on allocations.allocation_line_id = rules.allocation_line_id
    inner join market_days as trade_days
        on
            allocations.market_mic = trade_days.market_mic
            and allocations.trade_date = trade_days.calendar_date
    inner join market_days as deadline_days
        on
            allocations.market_mic = deadline_days.market_mic
            and deadline_days.is_business_day
            and allocations.trade_date <= deadline_days.calendar_date
            and deadline_days.business_day_number
            = trade_days.business_day_number + rules.deadline_business_days_after_trade
    group by allocations.allocation_line_id, trade_days.market_timezone, rules.deadline_local_time
),

deadline_times as (
    select
        allocation_line_id,
        market_timezone,
        deadline_date,
        cast(deadline_date + deadline_local_time as timestamp) as deadline_local_at
    from deadline_dates
),

affirmations as (
    select
        matched_allocation_line_id as allocation_line_id,
        max(affirm_status) as affirm_status,
        max(case when affirm_status = 'affirmed' then affirm_status_at end) as affirmed_at
    from confirmations
    group by matched_allocation_line_id
),

final as (
    select
        cast(allocations.allocation_line_id as varchar) as allocation_line_id,
        cast(allocations.trade_id as varchar) as trade_id,
        cast(allocations.market_mic as varchar) as market_mic,
        cast(deadline_times.market_timezone as varchar) as market_timezone,
        cast(allocations.executing_broker_lei as varchar) as counterparty_lei,
        allocations.trade_date,
        deadline_times.deadline_date,
        deadline_times.deadline_local_at,
        cast(
            deadline_times.deadline_local_at at time zone deadline_times.market_timezone
            as timestamp with time zone
        ) as deadline_at,
        cast(coalesce(affirmations.affirm_status, 'no_confirmation') as varchar) as affirm_status,
        affirmations.affirmed_at,
        cast(affirmations.affirmed_at at time zone deadline_times.market_timezone as timestamp)
            as affirmed_local_at,
        affirmations.affirmed_at is not null as is_affirmed,
        coalesce(
            affirmations.affirmed_at
            <= deadline_times.deadline_local_at at time zone deadline_times.market_timezone,
            false
        ) as is_affirmed_on_time
    from allocations
    left join deadline_times on allocations.allocation_line_id = deadline_times.allocation_line_id
    left join affirmations on allocations.allocation_line_id = affirmations.allocation_line_id
)

select * from final
