with

source as (
    select * from {{ source('refdata', 'refdata_instruments') }}
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
        cfi,
        mic as market_mic,
        currency as currency_code,
        asset_class,
        is_liquid,
        settlement_cycle_days,
        name,
        ticker,
        tick_size,
        lot_size
    from source
)

select * from renamed
