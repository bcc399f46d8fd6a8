-- One row per settlement instruction in a CSDR market and business day it failed to
-- settle: the daily cash penalty estimate (Delegated Regulation (EU) 2017/389) on the
-- quantity still unsettled that day at the instrument's reference (closing) price, at the
-- effective-dated rate of its penalty category, or the overnight rate for lack of cash.
with

settlements as (
    select * from {{ ref('fct_settlements') }}
),

events as (
    select * from {{ ref('fct_settlement_events') }}
),

market_days as (
    select * from {{ ref('int_market_business_days') }}
),

instruments as (
    select * from {{ ref('dim_instruments') }}
),

prices as (
    select * from {{ ref('stg_refdata__prices') }}
),

csdr_markets as (
    select * from {{ ref('csdr_markets') }}
),

penalty_rates as (
    select * from {{ ref('csdr_penalty_rates') }}
),

instrument_categories as (
    select * from {{ ref('csdr_instrument_categories') }}
),

overnight_rates as (
    select * from {{ ref('overnight_rates') }}
),

reason_code_root_causes as (
    select * from {{ ref('reason_code_root_causes') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

-- The reason the custodian gave last for the instruction not settling.
last_reasons as (
    select *
    from (
        select
            events.instruction_ref,
            split_part(events.reason_codes, ',', 1) as reason_code,
            row_number() over (
                partition by events.instruction_ref order by events.event_sequence desc
            ) as reason_rank
        from events
        where
            events.event_type = 'status'
            and (events.settlement_status = 'failing' or events.matching_status = 'unmatched')
    ) as ranked
    where reason_rank = 1
),

-- Instructions in a CSDR market that did not settle in full on their intended date.
late_settlements as (
    select
        settlements.*,
        as_of.as_of_date,
        last_reasons.reason_code,
        reason_code_root_causes.root_cause,
        coalesce(instrument_categories.penalty_category, 'other') as penalty_category
    from settlements
    cross join as_of
    inner join csdr_markets on settlements.market_mic = csdr_markets.market_mic
    left join last_reasons on settlements.instruction_ref = last_reasons.instruction_ref
    left join reason_code_root_causes
        on last_reasons.reason_code = reason_code_root_causes.reason_code
    left join instruments on settlements.isin = instruments.isin
    left join instrument_categories
        on
            instruments.asset_class = instrument_categories.asset_class
            and (
                instrument_categories.is_liquid is null
                or instruments.is_liquid = instrument_categories.is_liquid
            )
    where
        settlements.intended_settlement_date <= as_of.as_of_date
        and (
            settlements.actual_settlement_date is null
            or settlements.actual_settlement_date > settlements.intended_settlement_date
        )
),

-- Each business day of the market from the intended date up to the day before it settled
-- in full (or up to the as-of date while it is still open).
fail_dates as (
    select
        late_settlements.*,
        market_days.calendar_date as fail_date
    from late_settlements
    inner join market_days
        on
            late_settlements.market_mic = market_days.market_mic
            and market_days.is_business_day
            and late_settlements.intended_settlement_date <= market_days.calendar_date
            and late_settlements.as_of_date >= market_days.calendar_date
            and (
                late_settlements.actual_settlement_date is null
                or late_settlements.actual_settlement_date > market_days.calendar_date
            )
),

-- What was still unsettled at the end of each fail day (parts settled that day count).
unsettled as (
    select
        fail_dates.instruction_ref,
        fail_dates.fail_date,
        max(fail_dates.expected_quantity) - coalesce(sum(case
            when events.event_type = 'settlement_reversal' then -events.settled_quantity
            else events.settled_quantity
        end), 0) as failing_quantity
    from fail_dates
    left join events
        on
            fail_dates.instruction_ref = events.instruction_ref
            and events.event_type in ('settlement', 'settlement_reversal')
            and fail_dates.fail_date >= events.effective_settlement_date
    group by fail_dates.instruction_ref, fail_dates.fail_date
),

-- The reference price of a day: that day's close, else the latest close before it.
reference_prices as (
    select *
    from (
        select
            fail_dates.instruction_ref,
            fail_dates.fail_date,
            prices.close_price,
            row_number() over (
                partition by fail_dates.instruction_ref, fail_dates.fail_date
                order by prices.as_of_date desc, prices.source_file desc
            ) as price_rank
        from fail_dates
        inner join prices
            on
                fail_dates.isin = prices.isin
                and fail_dates.fail_date >= prices.as_of_date
    ) as ranked
    where price_rank = 1
),

securities_rates as (
    select *
    from (
        select
            fail_dates.instruction_ref,
            fail_dates.fail_date,
            penalty_rates.rate_bp,
            row_number() over (
                partition by fail_dates.instruction_ref, fail_dates.fail_date
                order by penalty_rates.effective_from desc
            ) as rate_rank
        from fail_dates
        inner join penalty_rates
            on
                fail_dates.penalty_category = penalty_rates.penalty_category
                and fail_dates.fail_date >= penalty_rates.effective_from
    ) as ranked
    where rate_rank = 1
),

cash_rates as (
    select *
    from (
        select
            fail_dates.instruction_ref,
            fail_dates.fail_date,
            overnight_rates.rate_pct,
            row_number() over (
                partition by fail_dates.instruction_ref, fail_dates.fail_date
                order by overnight_rates.effective_from desc
            ) as rate_rank
        from fail_dates
        inner join overnight_rates
            on
                fail_dates.currency_code = overnight_rates.currency_code
                and fail_dates.fail_date >= overnight_rates.effective_from
    ) as ranked
    where rate_rank = 1
),

priced as (
    select
        fail_dates.*,
        unsettled.failing_quantity,
        reference_prices.close_price as reference_price,
        case
            when fail_dates.root_cause = 'insufficient_cash' then 'lack_of_cash'
            else fail_dates.penalty_category
        end as penalty_basis,
        -- A rate as a numerator over its divisor, so the penalty is one exact division:
        -- basis points over 10,000, or an annual overnight rate in percent over 365 x 100.
        case
            when fail_dates.root_cause = 'insufficient_cash' then cash_rates.rate_pct
            else securities_rates.rate_bp
        end as rate_numerator,
        case
            when fail_dates.root_cause = 'insufficient_cash' then 36500 else 10000
        end as rate_divisor
    from fail_dates
    inner join unsettled
        on
            fail_dates.instruction_ref = unsettled.instruction_ref
            and fail_dates.fail_date = unsettled.fail_date
    left join reference_prices
        on
            fail_dates.instruction_ref = reference_prices.instruction_ref
            and fail_dates.fail_date = reference_prices.fail_date
    left join securities_rates
        on
            fail_dates.instruction_ref = securities_rates.instruction_ref
            and fail_dates.fail_date = securities_rates.fail_date
    left join cash_rates
        on
            fail_dates.instruction_ref = cash_rates.instruction_ref
            and fail_dates.fail_date = cash_rates.fail_date
),

final as (
    select
        cast(instruction_ref || ':' || cast(fail_date as varchar) as varchar) as penalty_id,
        cast(instruction_ref as varchar) as instruction_ref,
        fail_date,
        cast(trade_id as varchar) as trade_id,
        cast(counterparty_lei as varchar) as counterparty_lei,
        cast(market_mic as varchar) as market_mic,
        cast(isin as varchar) as isin,
        cast(currency_code as varchar) as currency_code,
        intended_settlement_date,
        cast(reason_code as varchar) as reason_code,
        cast(root_cause as varchar) as root_cause,
        cast(penalty_category as varchar) as penalty_category,
        cast(penalty_basis as varchar) as penalty_basis,
        cast(failing_quantity as decimal(28, 6)) as failing_quantity,
        cast(reference_price as decimal(28, 10)) as reference_price,
        cast(rate_numerator as decimal(18, 6)) as rate_numerator,
        cast(rate_divisor as integer) as rate_divisor,
        cast(
            {{ divide_decimal(
                'cast(failing_quantity * reference_price as decimal(38, 10)) * rate_numerator',
                'rate_divisor',
                6
            ) }} as decimal(28, 6)
        ) as penalty_amount,
        reference_price is null as is_missing_reference_price
    from priced
)

select * from final
