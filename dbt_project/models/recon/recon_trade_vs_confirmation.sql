-- One row per difference between our allocations (oms) and the confirmations (ctm):
-- a line without confirmation, a confirmation without line, or a compared field outside
-- its tolerance (recon_tolerances seed), or an affirmation after the market's deadline
-- (int_confirmations_timed). A quantity or price difference explains the amount difference
-- it causes, so the net amount is compared only when both agree. The current allocation
-- version is compared: a line replaced after its confirmation (a trade amended after
-- confirmation) breaks on the amendment's business date, with the root cause of the
-- root_cause_overrides seed.
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

markets as (
    select * from {{ ref('markets') }}
),

timed_confirmations as (
    select * from {{ ref('int_confirmations_timed') }}
),

amendment_root_cause as (
    select root_cause from {{ ref('root_cause_overrides') }}
    where
        recon = 'trade_vs_confirmation'
        and circumstance = 'allocation_amended_after_confirmation'
),

pairs as (
    select
        allocations.allocation_line_id,
        allocations.individual_alloc_id,
        allocations.business_date as allocation_business_date,
        -- A line replaced after its confirmation: the difference arose with the amendment.
        coalesce(
            allocations.alloc_trans_type = 'replace'
            and allocations.allocated_at > confirmations.confirmed_at,
            false
        ) as is_amended_after_confirmation,
        cast({{ at_time_zone('allocations.allocated_at', 'markets.timezone') }} as date)
            as allocated_on,
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
    left join markets on allocations.market_mic = markets.market_mic
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
        case
            when pairs.is_amended_after_confirmation then pairs.allocated_on
            else pairs.allocation_business_date
        end as business_date,
        case
            when pairs.is_amended_after_confirmation
                then (select max(amendment_root_cause.root_cause) from amendment_root_cause)
        end as root_cause,
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
        coalesce(pairs.left_settlement_date <> pairs.right_settlement_date, false)
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
        cast(null as decimal(28, 10)) as difference,
        cast(null as varchar) as root_cause
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
        cast(null as decimal(28, 10)) as difference,
        cast(null as varchar) as root_cause
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
        cast(right_quantity - left_quantity as decimal(28, 10)) as difference,
        root_cause
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
        cast(right_price - left_price as decimal(28, 10)) as difference,
        root_cause
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
        cast(right_net_amount - left_net_amount as decimal(28, 10)) as difference,
        root_cause
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
        cast(right_settlement_date - left_settlement_date as decimal(28, 10)) as difference,
        root_cause
    from compared
    where is_settlement_date_break
),

late_affirmations as (
    select
        'late_affirmation' as break_type,
        timed_confirmations.business_date,
        allocations.individual_alloc_id as trade_ref,
        allocations.allocation_line_id,
        timed_confirmations.confirm_id,
        'affirmed_at' as field,
        {{ instant_to_iso_text('timed_confirmations.affirmation_deadline_at') }} as left_value,
        {{ instant_to_iso_text('timed_confirmations.affirm_status_at') }} as right_value,
        cast(extract(epoch from (
            timed_confirmations.affirm_status_at - timed_confirmations.affirmation_deadline_at
        )) as decimal(28, 10)) as difference,
        cast(null as varchar) as root_cause
    from timed_confirmations
    inner join matches on timed_confirmations.confirm_id = matches.confirm_id
    inner join allocations on matches.allocation_line_id = allocations.allocation_line_id
    where
        timed_confirmations.affirm_status = 'affirmed'
        and timed_confirmations.affirm_status_at > timed_confirmations.affirmation_deadline_at
),

final as (
    select * from missing_confirmations
    union all
    select * from unexpected_confirmations
    union all
    select * from field_breaks
    union all
    select * from late_affirmations
)

select
    'trade_vs_confirmation' as recon,
    final.*
from final
