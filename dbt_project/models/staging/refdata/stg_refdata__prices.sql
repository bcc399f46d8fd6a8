with

source as (
    select * from {{ source('refdata', 'refdata_prices') }}
),

renamed as (
    select
        source_file,
        file_sha256,
        message_index,
        business_date,
        message_format,
        as_of_date,
        isin,
        close_price,
        currency as currency_code
    from source
)

select * from renamed
