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
        distinct_confirmations.gross_trade_amount,
        distinct_confirmations.net_amount,
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
    from distinct_confirmations
    left join successors on distinct_confirmations.confirm_id = successors.confirm_id
    left join latest_acks on distinct_confirmations.confirm_id = latest_acks.confirm_id
)

select * from final
