-- One row per fee item of every allocation line version (oms 35=J) and every confirmation
-- (ctm 35=AK): the commission (FIX 12, fee_number 0) and each MiscFees entry (136, numbered
-- from 1), typed by the fee_types seed (commission, exchange and clearing fees, transaction
-- taxes, regulatory levies). A message delivered twice counts once.
-- A table, not incremental: a confirmation fee's row takes the allocation line and trade of
-- the confirmation's match, which another day's allocation or confirmation can make or break
-- (the matching is across the whole history), and by the time this model runs
-- fct_confirmations already holds the new match, so the fees to rewrite could only be found
-- by comparing every fee row with its confirmation; rebuilding is as cheap and plainly right.
with

allocations as (
    select * from {{ ref('fct_allocations') }}
),

confirmations as (
    select * from {{ ref('fct_confirmations') }}
),

allocation_fees as (
    select * from {{ ref('stg_oms__allocation_fees') }}
),

confirmation_fees as (
    select * from {{ ref('stg_ctm__confirmation_fees') }}
),

fee_types as (
    select * from {{ ref('fee_types') }}
),

-- The fee entries of each line's (confirmation's) first delivery.
first_allocation_fees as (
    select *
    from (
        select
            allocation_fees.*,
            dense_rank() over (
                partition by allocation_fees.alloc_id, allocation_fees.alloc_line_number
                order by allocation_fees.source_file, allocation_fees.message_index
            ) as delivery_rank
        from allocation_fees
    ) as ranked
    where delivery_rank = 1
),

first_confirmation_fees as (
    select *
    from (
        select
            confirmation_fees.*,
            dense_rank() over (
                partition by confirmation_fees.confirm_id
                order by confirmation_fees.source_file, confirmation_fees.message_index
            ) as delivery_rank
        from confirmation_fees
    ) as ranked
    where delivery_rank = 1
),

fee_items as (
    select
        'oms' as source_platform,
        allocations.allocation_line_id,
        cast(null as varchar) as confirm_id,
        0 as fee_number,
        cast(null as varchar) as misc_fee_type_code,
        cast(null as varchar) as fee_basis_code,
        allocations.commission_amount as fee_amount,
        allocations.currency_code
    from allocations
    where allocations.commission_amount is not null
    union all
    select
        'oms' as source_platform,
        first_allocation_fees.alloc_id || ':'
        || cast(first_allocation_fees.alloc_line_number as varchar) as allocation_line_id,
        cast(null as varchar) as confirm_id,
        first_allocation_fees.fee_number,
        first_allocation_fees.misc_fee_type_code,
        first_allocation_fees.fee_basis_code,
        first_allocation_fees.fee_amount,
        first_allocation_fees.currency_code
    from first_allocation_fees
    union all
    select
        'ctm' as source_platform,
        cast(null as varchar) as allocation_line_id,
        confirmations.confirm_id,
        0 as fee_number,
        cast(null as varchar) as misc_fee_type_code,
        cast(null as varchar) as fee_basis_code,
        confirmations.commission_amount as fee_amount,
        confirmations.currency_code
    from confirmations
    where confirmations.commission_amount is not null
    union all
    select
        'ctm' as source_platform,
        cast(null as varchar) as allocation_line_id,
        first_confirmation_fees.confirm_id,
        first_confirmation_fees.fee_number,
        first_confirmation_fees.misc_fee_type_code,
        first_confirmation_fees.fee_basis_code,
        first_confirmation_fees.fee_amount,
        first_confirmation_fees.currency_code
    from first_confirmation_fees
),

final as (
    select
        cast(
            fee_items.source_platform || ':'
            || coalesce(fee_items.allocation_line_id, fee_items.confirm_id) || ':'
            || cast(fee_items.fee_number as varchar) as varchar
        ) as fee_id,
        cast(fee_items.source_platform as varchar) as source_platform,
        cast(
            coalesce(fee_items.allocation_line_id, confirmations.matched_allocation_line_id)
            as varchar
        ) as allocation_line_id,
        cast(fee_items.confirm_id as varchar) as confirm_id,
        cast(
            coalesce(allocations.individual_alloc_id, confirmations.individual_alloc_id)
            as varchar
        ) as individual_alloc_id,
        cast(coalesce(allocations.trade_id, confirmations.trade_id) as varchar) as trade_id,
        cast(fee_items.fee_number as integer) as fee_number,
        cast(case
            when fee_items.fee_number = 0 then 'commission'
            else coalesce(fee_types.fee_type, 'misc_fee_' || fee_items.misc_fee_type_code)
        end as varchar) as fee_type,
        cast(case
            when fee_items.fee_number = 0 then 'commission'
            else coalesce(fee_types.fee_category, 'other')
        end as varchar) as fee_category,
        cast(fee_items.misc_fee_type_code as varchar) as misc_fee_type_code,
        cast(fee_items.fee_basis_code as varchar) as fee_basis_code,
        cast(fee_items.fee_amount as decimal(28, 6)) as fee_amount,
        cast(fee_items.currency_code as varchar) as currency_code,
        coalesce(allocations.is_current, confirmations.is_current) as is_current,
        cast(coalesce(allocations.side, confirmations.side) as varchar) as side,
        cast(coalesce(allocations.isin, confirmations.isin) as varchar) as isin,
        cast(coalesce(allocations.market_mic, confirmations.market_mic) as varchar) as market_mic,
        cast(coalesce(allocations.account, confirmations.account) as varchar) as account,
        coalesce(allocations.trade_date, confirmations.trade_date) as trade_date,
        coalesce(allocations.business_date, confirmations.business_date) as business_date
    from fee_items
    left join allocations on fee_items.allocation_line_id = allocations.allocation_line_id
    left join confirmations on fee_items.confirm_id = confirmations.confirm_id
    left join fee_types on fee_items.misc_fee_type_code = fee_types.misc_fee_type
)

select * from final
