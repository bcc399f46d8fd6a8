with

source as (
    select * from {{ source('bank', 'bank_statement_entries') }}
),

renamed as (
    select
        statement_id,
        sequence_number,
        account_id,
        entry_index,
        {{ signed_amount('amount', 'credit_debit') }} as signed_amount,
        amount,
        currency as currency_code,
        credit_debit,
        is_reversal,
        entry_status,
        booking_date,
        -- camt.053 makes both dates optional: an entry without a value date takes effect
        -- on its booking date.
        coalesce(value_date, booking_date) as value_date,
        account_servicer_ref,
        -- The settlement instruction a DVP cash entry pays for: EndToEndId (camt.053) or
        -- the account-owner reference (MT940 :61:); the standards' placeholders for "no
        -- reference" (ISO 20022 NOTPROVIDED, SWIFT NONREF) are none.
        case
            when upper(coalesce(end_to_end_id, account_owner_ref)) in ('NOTPROVIDED', 'NONREF')
                then null
            else coalesce(end_to_end_id, account_owner_ref)
        end as instruction_ref,
        end_to_end_id,
        account_owner_ref,
        transaction_details_count,
        bank_transaction_code,
        additional_info,
        message_format,
        business_date,
        source_file,
        file_sha256,
        message_index
    from source
)

select * from renamed
