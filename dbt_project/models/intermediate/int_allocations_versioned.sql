-- One row per allocation line of every AllocationInstruction version (35=J), with whether
-- it is current: a version stops being current when a later message replaces or cancels it
-- (RefAllocID), whatever order the messages arrived in.
with

allocation_lines as (
    select * from {{ ref('stg_oms__allocations') }}
),

allocation_orders as (
    select * from {{ ref('stg_oms__allocation_orders') }}
),

allocation_fees as (
    select * from {{ ref('stg_oms__allocation_fees') }}
),

currencies as (
    select * from {{ ref('currencies') }}
),

-- The same message delivered twice counts once.
distinct_lines as (
    select *
    from (
        select
            allocation_lines.*,
            row_number() over (
                partition by allocation_lines.alloc_id, allocation_lines.alloc_line_number
                order by
                    allocation_lines.sending_at,
                    allocation_lines.source_file,
                    allocation_lines.message_index
            ) as delivery_rank
        from allocation_lines
    ) as ranked
    where delivery_rank = 1
),

allocation_messages as (
    select distinct
        alloc_id,
        alloc_trans_type,
        ref_alloc_id,
        transact_at
    from distinct_lines
),

successors as (
    select
        ref_alloc_id as alloc_id,
        min(alloc_id) as superseded_by_alloc_id,
        max(case when alloc_trans_type = 'cancel' then 1 else 0 end) as is_cancelled_flag
    from allocation_messages
    where ref_alloc_id is not null and alloc_trans_type in ('replace', 'cancel')
    group by ref_alloc_id
),

-- The line's gross amount (quantity x price: NoAllocs carries no GrossTradeAmt of its own).
line_amounts as (
    select
        distinct_lines.*,
        currencies.minor_units,
        {{ round_to_minor_units(
            'distinct_lines.alloc_quantity * distinct_lines.alloc_price', 'currencies.minor_units'
        ) }} as gross_amount
    from distinct_lines
    left join currencies on distinct_lines.currency_code = currencies.currency_code
),

-- The line's MiscFees (136 in its NoAllocs entry) of the same delivery, as amounts in the
-- trade's currency; a fee in another currency or of a basis that is no amount leaves the
-- net amount underivable.
line_fee_charges as (
    select
        allocation_fees.alloc_id,
        allocation_fees.alloc_line_number,
        {{ misc_fee_charge(
            'allocation_fees', 'line_amounts', 'line_amounts.alloc_quantity',
            'line_amounts.gross_amount'
        ) }} as fee_charge
    from allocation_fees
    inner join line_amounts
        on
            allocation_fees.alloc_id = line_amounts.alloc_id
            and allocation_fees.alloc_line_number = line_amounts.alloc_line_number
            and allocation_fees.file_sha256 = line_amounts.file_sha256
            and allocation_fees.message_index = line_amounts.message_index
),

line_fees as (
    select
        alloc_id,
        alloc_line_number,
        sum(fee_charge) as fee_amount,
        max(case when fee_charge is null then 1 else 0 end) as has_underivable_fee
    from line_fee_charges
    group by alloc_id, alloc_line_number
),

-- AllocNetMoney (154) when the line leaves it out: gross with commission and fees by side.
line_net_amounts as (
    select
        line_amounts.*,
        case
            when coalesce(line_fees.has_underivable_fee, 0) = 0
                then {{ net_money(
                    'line_amounts.side',
                    'line_amounts.gross_amount',
                    charge_amount(
                        'line_amounts.commission_amount', 'line_amounts.commission_type_code',
                        '3', '1', '2', 'line_amounts.alloc_quantity', 'line_amounts.gross_amount'
                    ) ~ ' + coalesce(line_fees.fee_amount, 0)',
                    'line_amounts.minor_units'
                ) }}
        end as derived_net_amount
    from line_amounts
    left join line_fees
        on
            line_amounts.alloc_id = line_fees.alloc_id
            and line_amounts.alloc_line_number = line_fees.alloc_line_number
),

order_counts as (
    select
        alloc_id,
        count(distinct order_id) as order_count,
        min(order_id) as first_order_id
    from allocation_orders
    group by alloc_id
),

final as (
    select
        distinct_lines.alloc_id || ':' || cast(distinct_lines.alloc_line_number as varchar)
            as allocation_line_id,
        distinct_lines.alloc_id,
        distinct_lines.alloc_line_number,
        distinct_lines.individual_alloc_id,
        distinct_lines.alloc_trans_type,
        distinct_lines.ref_alloc_id,
        case when order_counts.order_count = 1 then order_counts.first_order_id end as trade_id,
        coalesce(order_counts.order_count, 0) as order_count,
        distinct_lines.side,
        distinct_lines.isin,
        distinct_lines.symbol,
        distinct_lines.currency_code,
        distinct_lines.market_mic,
        distinct_lines.executing_broker_lei,
        distinct_lines.alloc_account,
        distinct_lines.alloc_quantity,
        distinct_lines.alloc_price,
        distinct_lines.alloc_net_amount,
        distinct_lines.gross_amount,
        distinct_lines.derived_net_amount,
        distinct_lines.commission_amount,
        distinct_lines.block_quantity,
        distinct_lines.average_price,
        distinct_lines.trade_date,
        distinct_lines.settlement_date,
        distinct_lines.transact_at as allocated_at,
        successors.superseded_by_alloc_id,
        case
            when
                successors.alloc_id is not null and successors.is_cancelled_flag = 1
                then 'cancelled'
            when successors.alloc_id is not null then 'replaced'
            else 'current'
        end as allocation_status,
        successors.alloc_id is null as is_current,
        distinct_lines.business_date
    from line_net_amounts as distinct_lines
    left join successors on distinct_lines.alloc_id = successors.alloc_id
    left join order_counts on distinct_lines.alloc_id = order_counts.alloc_id
    -- A cancel message carries no lines of its own; it only ends the version it names.
    where
        distinct_lines.alloc_trans_type <> 'cancel'
        and distinct_lines.alloc_line_number is not null
)

select * from final
