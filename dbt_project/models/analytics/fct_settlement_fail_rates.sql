-- One row per intended settlement date, market, counterparty, asset class and currency: the
-- instructions due that day, how many failed (a failing status at least once), their value,
-- the fail days they ran up and how many settled in parts.
with

settlements as (
    select * from {{ ref('fct_settlements') }}
),

fails as (
    select * from {{ ref('fct_settlement_fails') }}
),

instruments as (
    select * from {{ ref('dim_instruments') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

due as (
    select
        settlements.*,
        coalesce(instruments.asset_class, 'unknown') as asset_class,
        fails.instruction_ref is not null as has_failed,
        fails.fail_days as failed_days
    from settlements
    cross join as_of
    left join fails on settlements.instruction_ref = fails.instruction_ref
    left join instruments on settlements.isin = instruments.isin
    where settlements.intended_settlement_date <= as_of.as_of_date
),

grouped as (
    select
        intended_settlement_date,
        market_mic,
        counterparty_lei,
        asset_class,
        currency_code,
        count(*) as due_instruction_count,
        sum(case when has_failed then 1 else 0 end) as failed_instruction_count,
        sum(abs(expected_settlement_amount)) as due_amount,
        sum(case when has_failed then abs(expected_settlement_amount) else 0 end)
            as failed_amount,
        sum(coalesce(failed_days, 0)) as fail_day_count,
        sum(case when settlement_part_count > 1 or is_partially_settled then 1 else 0 end)
            as partial_instruction_count
    from due
    group by intended_settlement_date, market_mic, counterparty_lei, asset_class, currency_code
),

final as (
    select
        intended_settlement_date,
        cast(market_mic as varchar) as market_mic,
        cast(counterparty_lei as varchar) as counterparty_lei,
        cast(asset_class as varchar) as asset_class,
        cast(currency_code as varchar) as currency_code,
        cast(due_instruction_count as integer) as due_instruction_count,
        cast(failed_instruction_count as integer) as failed_instruction_count,
        cast(
            {{ divide_decimal('failed_instruction_count', 'due_instruction_count', 6) }}
            as decimal(9, 6)
        ) as fail_rate,
        cast(due_amount as decimal(28, 6)) as due_amount,
        cast(failed_amount as decimal(28, 6)) as failed_amount,
        cast(fail_day_count as integer) as fail_day_count,
        cast(partial_instruction_count as integer) as partial_instruction_count
    from grouped
)

select * from final
