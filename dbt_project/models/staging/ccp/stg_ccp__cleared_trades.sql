with

source as (
    select * from {{ source('ccp', 'ccp_cleared_trades') }}
),

renamed as (
    select
        source_file,
        file_sha256,
        message_index,
        business_date,
        message_format,
        cleared_trade_id,
        exec_id,
        isin,
        lower(side) as side,
        quantity,
        price,
        currency as currency_code,
        trade_date,
        settlement_date,
        clearing_member,
        novation_status,
        reject_reason,
        cleared_at
    from source
)

select * from renamed
