-- One row per settlement instruction and date its securities moved: the DVP cash we expect
-- on our bank account that day, signed from our side (negative when we receive securities
-- and pay). A part of a partial settlement pays its pro-rata share of the net amount,
-- rounded to the currency's minor units; the last part pays the remainder.
with

instructions as (
    select * from {{ ref('fct_settlement_instructions') }}
),

events as (
    select * from {{ ref('fct_settlement_events') }}
    where
        event_type in ('settlement', 'settlement_reversal')
        and effective_settlement_date is not null
),

currencies as (
    select * from {{ ref('currencies') }}
),

parts as (
    select
        events.instruction_ref,
        events.effective_settlement_date as settlement_date,
        events.event_sequence,
        instructions.currency_code,
        instructions.securities_movement_type,
        instructions.settlement_amount,
        instructions.quantity as instructed_quantity,
        sum(
            case
                when events.event_type = 'settlement_reversal' then -events.settled_quantity
                else events.settled_quantity
            end
        ) over (
            partition by events.instruction_ref
            order by events.event_sequence
            rows between unbounded preceding and current row
        ) as cumulative_quantity
    from events
    inner join instructions on events.instruction_ref = instructions.instruction_ref
),

cumulative_amounts as (
    select
        parts.*,
        {{ divide_decimal(
            'parts.settlement_amount * parts.cumulative_quantity', 'parts.instructed_quantity', 10
        ) }} as exact_cumulative_amount,
        coalesce(currencies.minor_units, 2) as minor_units
    from parts
    left join currencies on parts.currency_code = currencies.currency_code
),

rounded as (
    select
        cumulative_amounts.*,
        -- Once everything settled, the whole net amount as instructed, never re-rounded.
        -- Each branch cast alike: a CASE must not take the scale of its first branch.
        case
            when cumulative_amounts.cumulative_quantity = cumulative_amounts.instructed_quantity
                then cast(cumulative_amounts.settlement_amount as decimal(28, 6))
            when cumulative_amounts.minor_units = 0
                then cast(round(cumulative_amounts.exact_cumulative_amount, 0) as decimal(28, 6))
            when cumulative_amounts.minor_units = 3
                then cast(round(cumulative_amounts.exact_cumulative_amount, 3) as decimal(28, 6))
            else cast(round(cumulative_amounts.exact_cumulative_amount, 2) as decimal(28, 6))
        end as cumulative_amount
    from cumulative_amounts
),

part_amounts as (
    select
        rounded.*,
        rounded.cumulative_amount - coalesce(lag(rounded.cumulative_amount) over (
            partition by rounded.instruction_ref order by rounded.event_sequence
        ), 0) as part_amount
    from rounded
),

final as (
    select
        cast(instruction_ref as varchar) as instruction_ref,
        settlement_date,
        cast(currency_code as varchar) as currency_code,
        cast(sum(
            case when securities_movement_type = 'RECE' then -part_amount else part_amount end
        ) as decimal(28, 6)) as expected_amount,
        cast(count(*) as integer) as settlement_part_count
    from part_amounts
    group by instruction_ref, settlement_date, currency_code
)

select * from final
