with

source as (
    select * from {{ source('arm', 'arm_report_acks') }}
),

renamed as (
    select
        source_file,
        file_sha256,
        message_index,
        business_date,
        message_format,
        transaction_reference,
        arm_report_id,
        report_type,
        trade_date,
        status,
        error_codes,
        error_description,
        submitted_at,
        acknowledged_at
    from source
)

select * from renamed
