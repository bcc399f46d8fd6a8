-- One row per allocation line of every allocation version; is_current marks the lines that
-- stand (not replaced or cancelled).
with

allocations as (
    select * from {{ ref('int_allocations_versioned') }}
),

final as (
    select
        cast(allocation_line_id as varchar) as allocation_line_id,
        cast(alloc_id as varchar) as alloc_id,
        cast(alloc_line_number as integer) as alloc_line_number,
        cast(individual_alloc_id as varchar) as individual_alloc_id,
        cast(trade_id as varchar) as trade_id,
        cast(alloc_trans_type as varchar) as alloc_trans_type,
        cast(ref_alloc_id as varchar) as ref_alloc_id,
        cast(allocation_status as varchar) as allocation_status,
        is_current,
        trade_date,
        settlement_date,
        business_date,
        cast(side as varchar) as side,
        cast(isin as varchar) as isin,
        cast(market_mic as varchar) as market_mic,
        cast(currency_code as varchar) as currency_code,
        cast(executing_broker_lei as varchar) as executing_broker_lei,
        cast(alloc_account as varchar) as account,
        cast(alloc_quantity as decimal(28, 6)) as quantity,
        cast(alloc_price as decimal(28, 10)) as price,
        cast(alloc_net_amount as decimal(28, 6)) as net_amount,
        cast(commission_amount as decimal(28, 6)) as commission_amount,
        cast(block_quantity as decimal(28, 6)) as block_quantity,
        allocated_at
    from allocations
)

select * from final
