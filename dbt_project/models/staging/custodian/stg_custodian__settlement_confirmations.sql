with

source as (
    select * from {{ source('custodian', 'custodian_settlement_confirmations') }}
),

renamed as (
    select
        account_owner_tx_id as instruction_ref,
        account_servicer_tx_id as custodian_ref,
        message_id,
        message_format,
        message_function,
        message_function = 'CANC' as is_reversal,
        safekeeping_account,
        isin,
        securities_movement_type,
        payment_type,
        trade_date,
        intended_settlement_date,
        place_of_settlement,
        effective_settlement_date,
        settled_quantity,
        previously_settled_quantity,
        remaining_quantity,
        settled_amount,
        settled_currency,
        settled_credit_debit,
        partial_settlement as partial_settlement_code,
        is_partial,
        created_at as confirmed_at,
        business_date,
        source_file,
        file_sha256,
        message_index
    from source
)

select * from renamed
