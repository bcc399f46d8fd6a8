with

source as (
    select * from {{ source('refdata', 'refdata_ssis') }}
),

renamed as (
    select
        source_file,
        file_sha256,
        message_index,
        business_date,
        message_format,
        as_of_date,
        counterparty_lei,
        mic as market_mic,
        pset_bic,
        agent_bic,
        safekeeping_account,
        cash_account
    from source
)

select * from renamed
