-- One row per settlement instruction: what was expected against what the custodian
-- reported (settled quantity over all parts, the date it completed, the latest status by
-- event time, and the business days it has been failing).
with

instructions as (
    select * from {{ ref('fct_settlement_instructions') }}
),

events as (
    select * from {{ ref('fct_settlement_events') }}
),

business_days as (
    select * from {{ ref('int_business_days') }}
),

settled as (
    select
        instruction_ref,
        sum(case
            when event_type = 'settlement_reversal' then -settled_quantity
            else settled_quantity
        end) as settled_quantity,
        max(effective_settlement_date) as last_settlement_date,
        count(*) as settlement_part_count
    from events
    where event_type in ('settlement', 'settlement_reversal')
    group by instruction_ref
),

latest_status as (
    select *
    from (
        select
            events.*,
            row_number() over (
                partition by events.instruction_ref order by events.event_sequence desc
            ) as recency_rank
        from events
        where events.event_type = 'status'
    ) as ranked
    where recency_rank = 1
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

compared as (
    select
        instructions.*,
        coalesce(settled.settled_quantity, 0) as settled_quantity,
        settled.last_settlement_date,
        coalesce(settled.settlement_part_count, 0) as settlement_part_count,
        latest_status.matching_status,
        latest_status.settlement_status,
        latest_status.reason_codes,
        latest_status.event_at as last_status_at,
        as_of.as_of_date
    from instructions
    left join settled on instructions.instruction_ref = settled.instruction_ref
    left join latest_status on instructions.instruction_ref = latest_status.instruction_ref
    cross join as_of
),

progressed as (
    select
        compared.*,
        case
            when compared.settled_quantity >= compared.quantity
                then compared.last_settlement_date
        end as completed_settlement_date
    from compared
),

final as (
    select
        cast(instruction_ref as varchar) as instruction_ref,
        cast(trade_id as varchar) as trade_id,
        cast(account as varchar) as account,
        cast(isin as varchar) as isin,
        cast(market_mic as varchar) as market_mic,
        cast(counterparty_lei as varchar) as counterparty_lei,
        cast(currency_code as varchar) as currency_code,
        trade_date,
        intended_settlement_date,
        cast(completed_settlement_date as date) as actual_settlement_date,
        cast(quantity as decimal(28, 6)) as expected_quantity,
        cast(settled_quantity as decimal(28, 6)) as settled_quantity,
        cast(quantity - settled_quantity as decimal(28, 6)) as remaining_quantity,
        cast(settlement_amount as decimal(28, 6)) as expected_settlement_amount,
        cast(settlement_part_count as integer) as settlement_part_count,
        settlement_part_count > 0 and settled_quantity < quantity as is_partially_settled,
        cast(
            case
                when settled_quantity >= quantity then 'settled'
                when settled_quantity > 0 then 'partially_settled'
                when settlement_status = 'failing' then 'failing'
                when matching_status = 'unmatched' then 'unmatched'
                when settlement_status = 'pending' or matching_status = 'matched' then 'pending'
                else 'no_status'
            end as varchar
        ) as settlement_state,
        cast(matching_status as varchar) as matching_status,
        cast(settlement_status as varchar) as settlement_status,
        cast(reason_codes as varchar) as reason_codes,
        last_status_at,
        -- Business days past the intended date until it settled (or until the as-of date).
        cast({{ business_days_after(
            'progressed.intended_settlement_date',
            'coalesce(progressed.completed_settlement_date, progressed.as_of_date)'
        ) }} as integer) as fail_days,
        business_date
    from progressed
)

select * from final
