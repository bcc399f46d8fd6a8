with

source as (
    select * from {{ source('ctm', 'ctm_confirmation_acks') }}
),

renamed as (
    select
        confirm_id,
        affirm_status as affirm_status_code,
        case affirm_status
            when '1' then 'received'
            when '2' then 'rejected'
            when '3' then 'affirmed'
            else 'other'
        end as affirm_status,
        confirm_rej_reason as reject_reason_code,
        text as reject_text,
        trade_date,
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
