-- One row per Confirmation (35=AK) message, with whether it is current (not replaced or
-- cancelled by a later message naming it in ConfirmRefID) and its latest affirmation
-- (35=AU) by event time.
with

confirmations as (
    select * from {{ ref('stg_ctm__confirmations') }}
),

acks as (
    select * from {{ ref('stg_ctm__confirmation_acks') }}
),

confirmation_fees as (
    select * from {{ ref('stg_ctm__confirmation_fees') }}
),

currencies as (
    select * from {{ ref('currencies') }}
),

distinct_confirmations as (
    select *
    from (
        select
            confirmations.*,
            row_number() over (
                partition by confirmations.confirm_id
                order by
                    confirmations.sending_at, confirmations.source_file, confirmations.message_index
            ) as delivery_rank
        from confirmations
    ) as ranked
    where delivery_rank = 1
),

-- GrossTradeAmt (381) as sent, else quantity x AvgPx in the currency's minor units.
confirmation_amounts as (
    select
        distinct_confirmations.*,
        currencies.minor_units,
        coalesce(
            distinct_confirmations.gross_trade_amount,
            {{ round_to_minor_units(
                'distinct_confirmations.confirmed_quantity'
                ~ ' * distinct_confirmations.confirmed_price',
                'currencies.minor_units'
            ) }}
        ) as gross_amount
    from distinct_confirmations
    left join currencies on distinct_confirmations.currency_code = currencies.currency_code
),

-- The confirmation's MiscFees (136) of the same delivery as amounts in its currency.
confirmation_fee_charges as (
    select
        confirmation_fees.confirm_id,
        {{ misc_fee_charge(
            'confirmation_fees', 'confirmation_amounts',
            'confirmation_amounts.confirmed_quantity', 'confirmation_amounts.gross_amount'
        ) }} as fee_charge
    from confirmation_fees
    inner join confirmation_amounts
        on
            confirmation_fees.confirm_id = confirmation_amounts.confirm_id
            and confirmation_fees.file_sha256 = confirmation_amounts.file_sha256
            and confirmation_fees.message_index = confirmation_amounts.message_index
),

confirmation_fee_totals as (
    select
        confirm_id,
        sum(fee_charge) as fee_amount,
        max(case when fee_charge is null then 1 else 0 end) as has_underivable_fee
    from confirmation_fee_charges
    group by confirm_id
),

-- NetMoney (118) when the confirmation leaves it out: gross with commission and fees.
confirmation_net_amounts as (
    select
        confirmation_amounts.*,
        case
            when coalesce(confirmation_fee_totals.has_underivable_fee, 0) = 0
                then {{ net_money(
                    'confirmation_amounts.side',
                    'confirmation_amounts.gross_amount',
                    charge_amount(
                        'confirmation_amounts.commission_amount',
                        'confirmation_amounts.commission_type_code',
                        '3', '1', '2',
                        'confirmation_amounts.confirmed_quantity',
                        'confirmation_amounts.gross_amount'
                    ) ~ ' + coalesce(confirmation_fee_totals.fee_amount, 0)',
                    'confirmation_amounts.minor_units'
                ) }}
        end as derived_net_amount
    from confirmation_amounts
    left join confirmation_fee_totals
        on confirmation_amounts.confirm_id = confirmation_fee_totals.confirm_id
),

successors as (
    select
        confirm_ref_id as confirm_id,
        min(confirm_id) as superseded_by_confirm_id,
        max(case when confirm_trans_type = 'cancel' then 1 else 0 end) as is_cancelled_flag
    from distinct_confirmations
    where confirm_ref_id is not null and confirm_trans_type in ('replace', 'cancel')
    group by confirm_ref_id
),

latest_acks as (
    select *
    from (
        select
            acks.*,
            row_number() over (
                partition by acks.confirm_id
                order by acks.transact_at desc, acks.sending_at desc, acks.msg_seq_num desc
            ) as recency_rank
        from acks
    ) as ranked_acks
    where recency_rank = 1
),

final as (
    select
        distinct_confirmations.confirm_id,
        distinct_confirmations.confirm_trans_type,
        distinct_confirmations.confirm_ref_id,
        distinct_confirmations.confirm_status,
        distinct_confirmations.alloc_id,
        distinct_confirmations.individual_alloc_id,
        distinct_confirmations.alloc_account,
        distinct_confirmations.side,
        distinct_confirmations.isin,
        distinct_confirmations.symbol,
        distinct_confirmations.currency_code,
        distinct_confirmations.market_mic,
        distinct_confirmations.executing_broker_lei,
        distinct_confirmations.confirmed_quantity,
        distinct_confirmations.confirmed_price,
        distinct_confirmations.gross_amount,
        case
            when distinct_confirmations.gross_trade_amount is not null then 'stated'
            when distinct_confirmations.gross_amount is not null then 'derived'
        end as gross_amount_source,
        coalesce(distinct_confirmations.net_amount, distinct_confirmations.derived_net_amount)
            as net_amount,
        case
            when distinct_confirmations.net_amount is not null then 'stated'
            when distinct_confirmations.derived_net_amount is not null then 'derived'
        end as net_amount_source,
        distinct_confirmations.commission_amount,
        distinct_confirmations.trade_date,
        distinct_confirmations.settlement_date,
        distinct_confirmations.transact_at as confirmed_at,
        coalesce(latest_acks.affirm_status, 'pending') as affirm_status,
        latest_acks.reject_reason_code,
        latest_acks.transact_at as affirm_status_at,
        successors.superseded_by_confirm_id,
        case
            when distinct_confirmations.confirm_trans_type = 'cancel' then 'cancelled'
            when successors.confirm_id is not null and successors.is_cancelled_flag = 1
                then 'cancelled'
            when successors.confirm_id is not null then 'replaced'
            else 'current'
        end as confirmation_status,
        successors.confirm_id is null
        and distinct_confirmations.confirm_trans_type <> 'cancel' as is_current,
        distinct_confirmations.business_date
    from confirmation_net_amounts as distinct_confirmations
    left join successors on distinct_confirmations.confirm_id = successors.confirm_id
    left join latest_acks on distinct_confirmations.confirm_id = latest_acks.confirm_id
)

select * from final
