with

source as (
    select * from {{ source('bank', 'bank_statement_balances') }}
),

renamed as (
    select
        statement_id,
        sequence_number,
        account_id,
        balance_index,
        balance_code,
        is_intermediate,
        {{ signed_amount('amount', 'credit_debit') }} as balance_amount,
        currency as currency_code,
        balance_date,
        message_format,
        business_date,
        source_file,
        file_sha256,
        message_index
    from source
)

select * from renamed
