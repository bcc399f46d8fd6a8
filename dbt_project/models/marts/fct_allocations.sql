-- One row per allocation line of every allocation version; is_current marks the lines that
-- stand (not replaced or cancelled).
-- Incremental: a partitioned run rewrites every line of every version of the allocations its
-- window's files touch: the AllocIDs they deliver (lines or orders) and the AllocIDs those
-- messages (and any earlier delivery of them) replace or cancel (RefAllocID), since a late
-- replace or cancel changes the status of the version it names. A line's row depends on
-- nothing else, so the other allocations' rows are left as they are. Without the window
-- it builds in full.
-- depends_on: {{ ref('stg_ingestion__files') }}
-- depends_on: {{ ref('stg_oms__allocations') }}
-- depends_on: {{ ref('stg_oms__allocation_orders') }}
{{
    config(
        materialized='incremental',
        unique_key='allocation_line_id',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
    )
}}

with

allocations as (
    select * from {{ ref('int_allocations_versioned') }}
),

scoped as (
    select * from allocations
    {% if is_incremental() and has_partition_window() %}
        where alloc_id in (
            {{ versions_touched_in_window(ref('stg_oms__allocations'), 'alloc_id', 'ref_alloc_id') }}
            union all
            select window_orders.alloc_id
            from {{ ref('stg_oms__allocation_orders') }} as window_orders
            where {{ delivered_in_window('window_orders.file_sha256') }}
        )
    {% endif %}
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
        cast(gross_amount as decimal(28, 6)) as gross_amount,
        -- AllocNetMoney (154) as sent, else derived as FIX defines it (macros/fix_amounts.sql).
        cast(coalesce(alloc_net_amount, derived_net_amount) as decimal(28, 6)) as net_amount,
        cast(
            case
                when alloc_net_amount is not null then 'stated'
                when derived_net_amount is not null then 'derived'
            end as varchar
        ) as net_amount_source,
        cast(commission_amount as decimal(28, 6)) as commission_amount,
        cast(block_quantity as decimal(28, 6)) as block_quantity,
        allocated_at,
        {{ run_loaded_at() }} as loaded_at
    from scoped
)

select * from final
