-- One row per settlement instruction the custodian reported failing at least once: who,
-- where, what, why (the first failing status's reason code), for how long and how much.
with

settlements as (
    select * from {{ ref('fct_settlements') }}
),

events as (
    select * from {{ ref('fct_settlement_events') }}
),

instruments as (
    select * from {{ ref('dim_instruments') }}
),

counterparties as (
    select * from {{ ref('dim_counterparties') }}
),

reason_code_root_causes as (
    select * from {{ ref('reason_code_root_causes') }}
),

first_fails as (
    select *
    from (
        select
            events.instruction_ref,
            events.business_date as first_failed_date,
            split_part(events.reason_codes, ',', 1) as reason_code,
            row_number() over (
                partition by events.instruction_ref order by events.event_sequence
            ) as fail_rank
        from events
        where events.settlement_status = 'failing'
    ) as ranked
    where fail_rank = 1
),

final as (
    select
        cast(settlements.instruction_ref as varchar) as instruction_ref,
        cast(settlements.trade_id as varchar) as trade_id,
        cast(settlements.counterparty_lei as varchar) as counterparty_lei,
        cast(counterparties.counterparty_name as varchar) as counterparty_name,
        cast(settlements.market_mic as varchar) as market_mic,
        cast(settlements.isin as varchar) as isin,
        cast(coalesce(instruments.asset_class, 'unknown') as varchar) as asset_class,
        cast(settlements.currency_code as varchar) as currency_code,
        settlements.intended_settlement_date,
        first_fails.first_failed_date,
        cast(first_fails.reason_code as varchar) as reason_code,
        cast(coalesce(reason_code_root_causes.root_cause, 'unknown') as varchar) as root_cause,
        cast(settlements.fail_days as integer) as fail_days,
        cast(settlements.expected_quantity as decimal(28, 6)) as expected_quantity,
        cast(settlements.settled_quantity as decimal(28, 6)) as settled_quantity,
        cast(abs(settlements.expected_settlement_amount) as decimal(28, 6)) as fail_amount,
        settlements.settlement_part_count > 1 or settlements.is_partially_settled
            as is_partial,
        cast(settlements.settlement_state as varchar) as settlement_state,
        settlements.actual_settlement_date,
        settlements.settlement_state = 'settled' as is_resolved
    from settlements
    inner join first_fails on settlements.instruction_ref = first_fails.instruction_ref
    left join instruments on settlements.isin = instruments.isin
    left join counterparties on settlements.counterparty_lei = counterparties.lei
    left join reason_code_root_causes
        on first_fails.reason_code = reason_code_root_causes.reason_code
)

select * from final
