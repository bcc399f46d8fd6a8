-- One row per position difference: a safekeeping account's holding of an ISIN that the
-- custodian reported on a business date differs from the position derived from the
-- opening statement and the settled movements to that date (fct_positions). Quantities
-- compare exactly. trade_ref is `<safekeeping account>/<ISIN>`; left the derived
-- position, right the reported holding.
with

positions as (
    select * from {{ ref('fct_positions') }}
),

final as (
    select
        'position' as recon,
        'position_mismatch' as break_type,
        business_date,
        safekeeping_account || '/' || isin as trade_ref,
        'quantity' as field,
        {{ decimal_to_text('derived_quantity') }} as left_value,
        {{ decimal_to_text('reported_quantity') }} as right_value,
        cast(quantity_difference as decimal(28, 10)) as difference
    from positions
    where quantity_difference <> 0
)

select * from final
