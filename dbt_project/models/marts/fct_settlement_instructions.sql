-- One row per settlement instruction: each current allocation line settles on its own
-- instruction, referenced by the line's IndividualAllocID on every custodian message.
with

allocations as (
    select * from {{ ref('fct_allocations') }}
    where is_current
),

final as (
    select
        cast(individual_alloc_id as varchar) as instruction_ref,
        cast(allocation_line_id as varchar) as allocation_line_id,
        cast(trade_id as varchar) as trade_id,
        cast(account as varchar) as account,
        cast(isin as varchar) as isin,
        cast(market_mic as varchar) as market_mic,
        cast(executing_broker_lei as varchar) as counterparty_lei,
        cast(case when side = 'buy' then 'RECE' else 'DELI' end as varchar)
            as securities_movement_type,
        cast('APMT' as varchar) as payment_type,
        trade_date,
        settlement_date as intended_settlement_date,
        cast(quantity as decimal(28, 6)) as quantity,
        cast(net_amount as decimal(28, 6)) as settlement_amount,
        cast(currency_code as varchar) as currency_code,
        business_date
    from allocations
    where individual_alloc_id is not null
)

select * from final
