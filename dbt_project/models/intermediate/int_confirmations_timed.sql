-- One row per current confirmation of a market with an affirmation deadline rule: the
-- deadline (affirmation_deadlines seed: the rule in force on the trade date, its local time
-- in the market's time zone on the trade date plus N of the market's business days, as
-- an instant) beside the affirmation status and when it was given.
with

confirmations as (
    select * from {{ ref('int_confirmations_versioned') }}
    where is_current
),

deadline_rules as (
    select * from {{ ref('affirmation_deadlines') }}
),

markets as (
    select * from {{ ref('markets') }}
),

business_days as (
    select * from {{ ref('int_business_days') }}
),

-- Every daily refdata snapshot repeats the calendar: one row per market and holiday.
holidays as (
    select distinct
        market_mic,
        holiday_date
    from {{ ref('stg_refdata__holidays') }}
),

ruled as (
    select
        confirmations.confirm_id,
        confirmations.market_mic,
        confirmations.trade_date,
        confirmations.affirm_status,
        confirmations.affirm_status_at,
        confirmations.business_date,
        deadline_rules.deadline_business_days_after_trade,
        deadline_rules.deadline_local_time,
        markets.timezone,
        row_number() over (
            partition by confirmations.confirm_id
            order by deadline_rules.effective_from desc
        ) as rule_rank
    from confirmations
    inner join deadline_rules
        on
            confirmations.market_mic = deadline_rules.mic
            and confirmations.trade_date >= deadline_rules.effective_from
    inner join markets on confirmations.market_mic = markets.market_mic
),

rules_in_force as (
    select * from ruled
    where rule_rank = 1
),

market_business_days as (
    select
        markets.market_mic,
        business_days.calendar_date
    from business_days
    cross join markets
    where
        business_days.is_business_day
        and not exists (
            select 1 from holidays
            where
                holidays.market_mic = markets.market_mic
                and holidays.holiday_date = business_days.calendar_date
        )
),

-- The market's business days after each trade date, numbered: the N-th is the deadline's.
days_after_trade as (
    select
        rules_in_force.confirm_id,
        market_business_days.calendar_date,
        row_number() over (
            partition by rules_in_force.confirm_id
            order by market_business_days.calendar_date
        ) as day_number
    from rules_in_force
    inner join market_business_days
        on
            rules_in_force.market_mic = market_business_days.market_mic
            and rules_in_force.trade_date < market_business_days.calendar_date
    where rules_in_force.deadline_business_days_after_trade > 0
),

deadline_dates as (
    select
        rules_in_force.*,
        case
            when rules_in_force.deadline_business_days_after_trade = 0
                then rules_in_force.trade_date
            else days_after_trade.calendar_date
        end as deadline_date
    from rules_in_force
    left join days_after_trade
        on
            rules_in_force.confirm_id = days_after_trade.confirm_id
            and rules_in_force.deadline_business_days_after_trade = days_after_trade.day_number
),

final as (
    select
        confirm_id,
        market_mic,
        trade_date,
        deadline_date,
        {{ at_time_zone(
            "cast(cast(deadline_date as varchar) || ' ' || deadline_local_time as timestamp)",
            'timezone'
        ) }} as affirmation_deadline_at,
        affirm_status,
        affirm_status_at,
        business_date
    from deadline_dates
)

select * from final
