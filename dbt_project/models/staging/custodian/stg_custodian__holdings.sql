with

source as (
    select * from {{ source('custodian', 'custodian_holdings') }}
),

renamed as (
    select
        statement_id,
        message_id,
        created_at as statement_created_at,
        statement_date,
        statement_basis,
        message_format,
        safekeeping_account,
        isin,
        quantity_type,
        aggregate_quantity,
        available_quantity,
        holding_value,
        holding_value_currency,
        business_date,
        source_file,
        file_sha256,
        message_index
    from source
)

select * from renamed
