with

source as (
    select * from {{ source('bank', 'bank_statements') }}
),

renamed as (
    select
        statement_id,
        sequence_number,
        legal_sequence_number,
        page_number,
        is_last_page,
        message_format,
        account_id,
        account_id_type,
        account_currency,
        account_servicer,
        statement_from_date,
        statement_to_date,
        opening_balance_code,
        opening_is_intermediate,
        {{ signed_amount('opening_balance', 'opening_credit_debit') }} as opening_balance,
        opening_currency,
        opening_date,
        closing_balance_code,
        closing_is_intermediate,
        {{ signed_amount('closing_balance', 'closing_credit_debit') }} as closing_balance,
        closing_currency,
        closing_date,
        entry_count,
        business_date,
        source_file,
        file_sha256,
        message_index
    from source
)

select * from renamed
