with

source as (
    select * from {{ source('oms', 'oms_allocations') }}
),

renamed as (
    select
        alloc_id,
        alloc_line_number,
        alloc_trans_type as alloc_trans_type_code,
        case alloc_trans_type
            when '0' then 'new'
            when '1' then 'replace'
            when '2' then 'cancel'
            else 'other'
        end as alloc_trans_type,
        ref_alloc_id,
        alloc_type as alloc_type_code,
        {{ side_from_code('side_code') }} as side,
        security_id as isin,
        symbol,
        currency_code,
        market_mic,
        executing_broker_lei,
        block_quantity,
        avg_px as average_price,
        gross_trade_amount,
        net_money as net_amount,
        trade_date,
        settlement_date,
        transact_at,
        alloc_account,
        individual_alloc_id,
        alloc_qty as alloc_quantity,
        coalesce(alloc_price, avg_px) as alloc_price,
        alloc_net_money as alloc_net_amount,
        commission as commission_amount,
        commission_type as commission_type_code,
        sending_at,
        msg_seq_num,
        business_date,
        source_file,
        file_sha256,
        message_index
    from source
)

select * from renamed
