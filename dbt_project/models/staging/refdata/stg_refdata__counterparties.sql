with

source as (
    select * from {{ source('refdata', 'refdata_counterparties') }}
),

renamed as (
    select
        source_file,
        file_sha256,
        message_index,
        business_date,
        message_format,
        as_of_date,
        lei,
        bic,
        name,
        country
    from source
)

select * from renamed
