-- Control totals, fees: per platform and business date, the fee items' amount and count equal
-- the raw commissions (FIX 12) plus the raw MiscFees entries (136) of allocation lines (oms)
-- and confirmations (ctm), a message delivered twice counted once. Returns what differs.
with

raw_oms_lines as (
    select distinct
        alloc_id,
        alloc_line_number,
        commission,
        business_date
    from {{ source('oms', 'oms_allocations') }}
    where alloc_line_number is not null and alloc_trans_type <> '2' and commission is not null
),

raw_oms_fees as (
    select distinct
        alloc_id,
        alloc_line_number,
        misc_fee_number,
        misc_fee_amount,
        business_date
    from {{ source('oms', 'oms_allocation_fees') }}
),

raw_ctm_confirmations as (
    select distinct
        confirm_id,
        commission,
        business_date
    from {{ source('ctm', 'ctm_confirmations') }}
    where commission is not null
),

raw_ctm_fees as (
    select distinct
        confirm_id,
        misc_fee_number,
        misc_fee_amount,
        business_date
    from {{ source('ctm', 'ctm_confirmation_fees') }}
),

raw_items as (
    select
        'oms' as source_platform,
        business_date,
        commission as fee_amount
    from raw_oms_lines
    union all
    select
        'oms' as source_platform,
        business_date,
        misc_fee_amount as fee_amount
    from raw_oms_fees
    union all
    select
        'ctm' as source_platform,
        business_date,
        commission as fee_amount
    from raw_ctm_confirmations
    union all
    select
        'ctm' as source_platform,
        business_date,
        misc_fee_amount as fee_amount
    from raw_ctm_fees
),

raw_totals as (
    select
        source_platform,
        business_date,
        sum(fee_amount) as fee_amount,
        count(*) as fee_count
    from raw_items
    group by source_platform, business_date
),

mart_totals as (
    select
        source_platform,
        business_date,
        sum(fee_amount) as fee_amount,
        count(*) as fee_count
    from {{ ref('fct_fees') }}
    group by source_platform, business_date
)

{{ control_total_differences(['source_platform', 'business_date'], ['fee_amount', 'fee_count']) }}
