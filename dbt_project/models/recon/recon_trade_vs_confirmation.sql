-- One row per difference between our allocations (oms) and the confirmations (ctm):
-- a line without confirmation, a confirmation without line, or a compared field outside
-- its tolerance (recon_tolerances seed). A quantity or price difference explains the
-- amount difference it causes, so the net amount is compared only when both agree.
with

allocations as (
    select * from {{ ref('fct_allocations') }}
    where is_current
),

confirmations as (
    select * from {{ ref('fct_confirmations') }}
    where is_current
),

matches as (
    select * from {{ ref('int_confirmations_matched_to_allocations') }}
),

tolerances as (
    select * from {{ ref('recon_tolerances') }}
    where recon = 'trade_vs_confirmation'
),

pairs as (
    select
        allocations.allocation_line_id,
        allocations.individual_alloc_id,
        allocations.business_date,
        allocations.currency_code,
        allocations.quantity as left_quantity,
        confirmations.quantity as right_quantity,
        allocations.price as left_price,
        confirmations.price as right_price,
        allocations.net_amount as left_net_amount,
        confirmations.net_amount as right_net_amount,
        allocations.settlement_date as left_settlement_date,
        confirmations.settlement_date as right_settlement_date
    from matches
    inner join allocations on matches.allocation_line_id = allocations.allocation_line_id
    inner join confirmations on matches.confirm_id = confirmations.confirm_id
),

currency_tolerances as (
    {{ tolerances_by_currency('tolerances', 'pairs') }}
),

pair_tolerances as (
    select
        currency_code,
        max(case when field = 'quantity' then abs_tolerance end) as quantity_abs_tolerance,
        max(case when field = 'quantity' then rel_tolerance end) as quantity_rel_tolerance,
        max(case when field = 'price' then abs_tolerance end) as price_abs_tolerance,
        max(case when field = 'price' then rel_tolerance end) as price_rel_tolerance,
        max(case when field = 'net_amount' then abs_tolerance end) as net_amount_abs_tolerance,
        max(case when field = 'net_amount' then rel_tolerance end) as net_amount_rel_tolerance
    from currency_tolerances
    group by currency_code
),

compared as (
    select
        pairs.*,
        {{ exceeds_tolerance(
            'pairs.left_quantity', 'pairs.right_quantity',
            'pair_tolerances.quantity_abs_tolerance', 'pair_tolerances.quantity_rel_tolerance'
        ) }} as is_quantity_break,
        {{ exceeds_tolerance(
            'pairs.left_price', 'pairs.right_price',
            'pair_tolerances.price_abs_tolerance', 'pair_tolerances.price_rel_tolerance'
        ) }} as is_price_break,
        {{ exceeds_tolerance(
            'pairs.left_net_amount', 'pairs.right_net_amount',
            'pair_tolerances.net_amount_abs_tolerance', 'pair_tolerances.net_amount_rel_tolerance'
        ) }} as is_net_amount_break,
        coalesce(pairs.left_settlement_date <> pairs.right_settlement_date, true)
        and not (pairs.left_settlement_date is null and pairs.right_settlement_date is null)
            as is_settlement_date_break
    from pairs
    left join pair_tolerances
        on coalesce(pairs.currency_code, '') = coalesce(pair_tolerances.currency_code, '')
),

missing_confirmations as (
    select
        'missing_confirmation' as break_type,
        allocations.business_date,
        allocations.individual_alloc_id as trade_ref,
        allocations.allocation_line_id,
        cast(null as varchar) as confirm_id,
        cast(null as varchar) as field,
        cast(null as varchar) as left_value,
        cast(null as varchar) as right_value,
        cast(null as decimal(28, 10)) as difference
    from allocations
    where not exists (
        select 1 from matches
        where matches.allocation_line_id = allocations.allocation_line_id
    )
),

unexpected_confirmations as (
    select
        'unexpected_confirmation' as break_type,
        confirmations.business_date,
        confirmations.confirm_id as trade_ref,
        cast(null as varchar) as allocation_line_id,
        confirmations.confirm_id,
        cast(null as varchar) as field,
        cast(null as varchar) as left_value,
        cast(null as varchar) as right_value,
        cast(null as decimal(28, 10)) as difference
    from confirmations
    where not exists (
        select 1 from matches
        where matches.confirm_id = confirmations.confirm_id
    )
),

field_breaks as (
    select
        'quantity_mismatch' as break_type,
        business_date,
        individual_alloc_id as trade_ref,
        allocation_line_id,
        cast(null as varchar) as confirm_id,
        'quantity' as field,
        {{ decimal_to_text('left_quantity') }} as left_value,
        {{ decimal_to_text('right_quantity') }} as right_value,
        cast(right_quantity - left_quantity as decimal(28, 10)) as difference
    from compared
    where is_quantity_break
    union all
    select
        'price_outside_tolerance' as break_type,
        business_date,
        individual_alloc_id as trade_ref,
        allocation_line_id,
        cast(null as varchar) as confirm_id,
        'price' as field,
        {{ decimal_to_text('left_price') }} as left_value,
        {{ decimal_to_text('right_price') }} as right_value,
        cast(right_price - left_price as decimal(28, 10)) as difference
    from compared
    where is_price_break
    union all
    select
        'net_amount_outside_tolerance' as break_type,
        business_date,
        individual_alloc_id as trade_ref,
        allocation_line_id,
        cast(null as varchar) as confirm_id,
        'net_amount' as field,
        {{ decimal_to_text('left_net_amount') }} as left_value,
        {{ decimal_to_text('right_net_amount') }} as right_value,
        cast(right_net_amount - left_net_amount as decimal(28, 10)) as difference
    from compared
    where is_net_amount_break and not is_quantity_break and not is_price_break
    union all
    select
        'settlement_date_mismatch' as break_type,
        business_date,
        individual_alloc_id as trade_ref,
        allocation_line_id,
        cast(null as varchar) as confirm_id,
        'settlement_date' as field,
        cast(left_settlement_date as varchar) as left_value,
        cast(right_settlement_date as varchar) as right_value,
        cast(right_settlement_date - left_settlement_date as decimal(28, 10)) as difference
    from compared
    where is_settlement_date_break
),

final as (
    select * from missing_confirmations
    union all
    select * from unexpected_confirmations
    union all
    select * from field_breaks
)

select
    'trade_vs_confirmation' as recon,
    final.*
from final
