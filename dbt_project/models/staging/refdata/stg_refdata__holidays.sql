with

source as (
    select * from {{ source('refdata', 'refdata_holidays') }}
),

renamed as (
    select
        source_file,
        file_sha256,
        message_index,
        business_date,
        message_format,
        as_of_date,
        mic as market_mic,
        holiday_date,
        description
    from source
)

select * from renamed
