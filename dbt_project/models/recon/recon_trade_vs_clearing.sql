-- One row per difference between our fills on centrally cleared markets (oms, as they stand
-- after corrections and busts; market_regimes seed) and the clearing house's cleared trades
-- (ccp), matched by the OMS ExecID: a fill the ccp did not clear, a cleared trade that is no
-- fill of ours, a quantity or price outside its tolerance (recon_tolerances seed), a
-- novation the ccp rejected. Breaks carry the trade date.
with

fills as (
    select * from {{ ref('int_executions_netted') }}
    where not is_busted
),

market_regimes as (
    select * from {{ ref('market_regimes') }}
    where is_centrally_cleared
),

cleared_trades as (
    select * from {{ ref('stg_ccp__cleared_trades') }}
),

tolerances as (
    select * from {{ ref('recon_tolerances') }}
    where recon = 'trade_vs_clearing'
),

cleared_fills as (
    select fills.*
    from fills
    inner join market_regimes on fills.market_mic = market_regimes.market_mic
),

-- The same file delivered twice counts once; the latest report of a fill stands.
latest_cleared_trades as (
    select *
    from (
        select
            cleared_trades.*,
            row_number() over (
                partition by cleared_trades.exec_id
                order by
                    cleared_trades.cleared_at desc,
                    cleared_trades.business_date desc,
                    cleared_trades.cleared_trade_id desc
            ) as report_rank
        from cleared_trades
    ) as ranked_cleared_trades
    where report_rank = 1
),

pairs as (
    select
        cleared_fills.exec_id,
        cleared_fills.trade_date,
        cleared_fills.currency_code,
        cleared_fills.quantity as left_quantity,
        latest_cleared_trades.quantity as right_quantity,
        cleared_fills.price as left_price,
        latest_cleared_trades.price as right_price,
        latest_cleared_trades.novation_status
    from cleared_fills
    inner join latest_cleared_trades on cleared_fills.exec_id = latest_cleared_trades.exec_id
),

currency_tolerances as (
    {{ tolerances_by_currency('tolerances', 'pairs') }}
),

pair_tolerances as (
    {{ tolerances_per_field('currency_tolerances', ['quantity', 'price']) }}
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
        ) }} as is_price_break
    from pairs
    left join pair_tolerances
        on coalesce(pairs.currency_code, '') = coalesce(pair_tolerances.currency_code, '')
),

missing_clearings as (
    select
        'missing_clearing' as break_type,
        cleared_fills.trade_date as business_date,
        cleared_fills.exec_id as trade_ref,
        cast(null as varchar) as field,
        cast(null as varchar) as left_value,
        cast(null as varchar) as right_value,
        cast(null as decimal(28, 10)) as difference
    from cleared_fills
    where not exists (
        select 1 from latest_cleared_trades
        where latest_cleared_trades.exec_id = cleared_fills.exec_id
    )
),

-- A cleared trade the ccp attributes to us that is no standing fill of ours (unknown or
-- busted): the ccp holds us to it.
unexpected_cleared_trades as (
    select
        'unexpected_cleared_trade' as break_type,
        latest_cleared_trades.trade_date as business_date,
        latest_cleared_trades.cleared_trade_id as trade_ref,
        cast(null as varchar) as field,
        cast(null as varchar) as left_value,
        cast(null as varchar) as right_value,
        cast(null as decimal(28, 10)) as difference
    from latest_cleared_trades
    where not exists (
        select 1 from cleared_fills
        where cleared_fills.exec_id = latest_cleared_trades.exec_id
    )
),

field_breaks as (
    select
        'clearing_quantity_mismatch' as break_type,
        trade_date as business_date,
        exec_id as trade_ref,
        'quantity' as field,
        {{ decimal_to_text('left_quantity') }} as left_value,
        {{ decimal_to_text('right_quantity') }} as right_value,
        cast(right_quantity - left_quantity as decimal(28, 10)) as difference
    from compared
    where is_quantity_break
    union all
    select
        'clearing_price_mismatch' as break_type,
        trade_date as business_date,
        exec_id as trade_ref,
        'price' as field,
        {{ decimal_to_text('left_price') }} as left_value,
        {{ decimal_to_text('right_price') }} as right_value,
        cast(right_price - left_price as decimal(28, 10)) as difference
    from compared
    where is_price_break
    union all
    select
        'novation_rejected' as break_type,
        trade_date as business_date,
        exec_id as trade_ref,
        'novation_status' as field,
        'NOVATED' as left_value,
        novation_status as right_value,
        cast(null as decimal(28, 10)) as difference
    from compared
    where novation_status = 'REJECTED'
),

final as (
    select * from missing_clearings
    union all
    select * from unexpected_cleared_trades
    union all
    select * from field_breaks
)

select
    'trade_vs_clearing' as recon,
    final.*
from final
