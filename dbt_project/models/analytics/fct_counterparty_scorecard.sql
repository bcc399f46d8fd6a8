-- One row per counterparty (executing broker LEI): its trades, how many went straight
-- through, how timely it affirmed, how often its settlements failed and its open breaks.
with

trades as (
    select * from {{ ref('int_trades_traced') }}
    where trade_status = 'active'
),

stp as (
    select * from {{ ref('fct_stp_rates') }}
),

timeliness as (
    select * from {{ ref('fct_affirmation_timeliness') }}
),

fail_rates as (
    select * from {{ ref('fct_settlement_fail_rates') }}
),

counterparties as (
    select * from {{ ref('dim_counterparties') }}
),

trade_totals as (
    select
        counterparty_lei,
        count(*) as trade_count,
        sum(break_count) as break_count
    from trades
    group by counterparty_lei
),

stp_totals as (
    select
        counterparty_lei,
        sum(due_trade_count) as due_trade_count,
        sum(straight_through_trade_count) as straight_through_trade_count
    from stp
    group by counterparty_lei
),

affirmation_totals as (
    select
        counterparty_lei,
        count(*) as allocation_line_count,
        sum(case when is_affirmed then 1 else 0 end) as affirmed_count,
        sum(case when is_affirmed_on_time then 1 else 0 end) as affirmed_on_time_count
    from timeliness
    group by counterparty_lei
),

fail_totals as (
    select
        counterparty_lei,
        sum(due_instruction_count) as due_instruction_count,
        sum(failed_instruction_count) as failed_instruction_count,
        sum(partial_instruction_count) as partial_instruction_count
    from fail_rates
    group by counterparty_lei
),

final as (
    select
        cast(trade_totals.counterparty_lei as varchar) as counterparty_lei,
        cast(counterparties.counterparty_name as varchar) as counterparty_name,
        cast(trade_totals.trade_count as integer) as trade_count,
        cast(coalesce(stp_totals.due_trade_count, 0) as integer) as due_trade_count,
        cast(coalesce(stp_totals.straight_through_trade_count, 0) as integer)
            as straight_through_trade_count,
        cast(
            {{ divide_decimal(
                'stp_totals.straight_through_trade_count', 'stp_totals.due_trade_count', 6
            ) }}
            as decimal(9, 6)
        ) as stp_rate,
        cast(coalesce(affirmation_totals.allocation_line_count, 0) as integer)
            as allocation_line_count,
        cast(
            {{ divide_decimal(
                'affirmation_totals.affirmed_on_time_count',
                'affirmation_totals.allocation_line_count',
                6
            ) }} as decimal(9, 6)
        ) as affirmed_on_time_rate,
        cast(coalesce(fail_totals.due_instruction_count, 0) as integer) as due_instruction_count,
        cast(coalesce(fail_totals.failed_instruction_count, 0) as integer)
            as failed_instruction_count,
        cast(
            {{ divide_decimal(
                'fail_totals.failed_instruction_count', 'fail_totals.due_instruction_count', 6
            ) }}
            as decimal(9, 6)
        ) as fail_rate,
        cast(coalesce(fail_totals.partial_instruction_count, 0) as integer)
            as partial_instruction_count,
        cast(trade_totals.break_count as integer) as break_count
    from trade_totals
    left join counterparties on trade_totals.counterparty_lei = counterparties.lei
    left join stp_totals on trade_totals.counterparty_lei = stp_totals.counterparty_lei
    left join affirmation_totals
        on trade_totals.counterparty_lei = affirmation_totals.counterparty_lei
    left join fail_totals on trade_totals.counterparty_lei = fail_totals.counterparty_lei
)

select * from final
