with

source as (
    select * from {{ source('ctm', 'ctm_confirmations') }}
),

renamed as (
    select
        confirm_id,
        confirm_ref_id,
        confirm_trans_type as confirm_trans_type_code,
        case confirm_trans_type
            when '0' then 'new'
            when '1' then 'replace'
            when '2' then 'cancel'
            else 'other'
        end as confirm_trans_type,
        confirm_type as confirm_type_code,
        confirm_status as confirm_status_code,
        case confirm_status
            when '1' then 'received'
            when '2' then 'mismatched_account'
            when '3' then 'missing_settlement_instructions'
            when '4' then 'confirmed'
            when '5' then 'request_rejected'
            else 'other'
        end as confirm_status,
        alloc_id,
        individual_alloc_id,
        alloc_account,
        alloc_qty as confirmed_quantity,
        {{ side_from_code('side_code') }} as side,
        security_id as isin,
        symbol,
        currency_code,
        market_mic,
        executing_broker_lei,
        avg_px as confirmed_price,
        gross_trade_amount,
        net_money as net_amount,
        commission as commission_amount,
        commission_type as commission_type_code,
        trade_date,
        settlement_date,
        transact_at,
        sending_at,
        msg_seq_num,
        business_date,
        source_file,
        file_sha256,
        message_index
    from source
)

select * from renamed
