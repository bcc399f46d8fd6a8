with

source as (
    select * from {{ source('ingestion', 'ingested_files') }}
),

renamed as (
    select
        file_sha256,
        platform,
        source_file,
        status,
        -- business_dates is sorted and comma-joined: its last ten characters are the latest.
        cast(right(nullif(business_dates, ''), 10) as date) as business_date
    from source
)

select * from renamed
