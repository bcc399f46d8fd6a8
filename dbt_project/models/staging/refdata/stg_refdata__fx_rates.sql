with

source as (
    select * from {{ source('refdata', 'refdata_fx_rates') }}
),

renamed as (
    select
        source_file,
        file_sha256,
        message_index,
        business_date,
        message_format,
        as_of_date,
        base_currency as base_currency_code,
        quote_currency as quote_currency_code,
        rate
    from source
)

select * from renamed
