with

source as (
    select * from {{ source('oms', 'oms_execution_reports') }}
),

renamed as (
    select
        exec_id,
        exec_ref_id,
        order_id,
        cl_ord_id,
        exec_type as exec_type_code,
        case exec_type
            when 'F' then 'fill'
            when 'G' then 'correction'
            when 'H' then 'bust'
            else 'other'
        end as exec_event,
        ord_status as ord_status_code,
        account,
        {{ side_from_code('side_code') }} as side,
        security_id as isin,
        symbol,
        currency_code,
        market_mic,
        executing_broker_lei,
        order_qty as order_quantity,
        last_qty as last_quantity,
        last_px as last_price,
        cum_qty as cumulative_quantity,
        leaves_qty as leaves_quantity,
        avg_px as average_price,
        trade_date,
        settlement_date,
        transact_at,
        sending_at,
        msg_seq_num,
        is_possible_duplicate,
        business_date,
        source_file,
        file_sha256,
        message_index
    from source
    -- Only ISIN-identified instruments are in scope; other identifier sources stay in raw.
    where security_id_source = '4' or security_id_source is null
)

select * from renamed
