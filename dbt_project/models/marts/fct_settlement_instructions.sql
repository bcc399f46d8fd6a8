-- One row per settlement instruction: each current allocation line settles on its own
-- instruction, referenced by the line's IndividualAllocID on every custodian message. Its
-- settlement amount is the line's net amount (AllocNetMoney, or derived from the charges
-- the line states); a line that states neither settles for the net amount of the
-- confirmation matched to it, what the broker and we agreed.
with

allocations as (
    select * from {{ ref('fct_allocations') }}
    where is_current
),

confirmations as (
    select * from {{ ref('fct_confirmations') }}
    where is_current and matched_allocation_line_id is not null
),

final as (
    select
        cast(allocations.individual_alloc_id as varchar) as instruction_ref,
        cast(allocations.allocation_line_id as varchar) as allocation_line_id,
        cast(allocations.trade_id as varchar) as trade_id,
        cast(allocations.account as varchar) as account,
        cast(allocations.isin as varchar) as isin,
        cast(allocations.market_mic as varchar) as market_mic,
        cast(allocations.executing_broker_lei as varchar) as counterparty_lei,
        cast(case when allocations.side = 'buy' then 'RECE' else 'DELI' end as varchar)
            as securities_movement_type,
        cast('APMT' as varchar) as payment_type,
        allocations.trade_date,
        allocations.settlement_date as intended_settlement_date,
        cast(allocations.quantity as decimal(28, 6)) as quantity,
        cast(
            coalesce(allocations.net_amount, confirmations.net_amount) as decimal(28, 6)
        ) as settlement_amount,
        cast(allocations.currency_code as varchar) as currency_code,
        allocations.business_date
    from allocations
    left join confirmations
        on allocations.allocation_line_id = confirmations.matched_allocation_line_id
    where allocations.individual_alloc_id is not null
)

select * from final
