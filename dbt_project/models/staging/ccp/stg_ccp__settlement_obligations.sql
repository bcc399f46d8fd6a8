with

source as (
    select * from {{ source('ccp', 'ccp_settlement_obligations') }}
),

renamed as (
    select
        source_file,
        file_sha256,
        message_index,
        business_date,
        message_format,
        obligation_date,
        clearing_member,
        isin,
        currency as currency_code,
        settlement_date,
        net_quantity,
        net_cash,
        trade_count
    from source
)

select * from renamed
