with

source as (
    select * from {{ source('custodian', 'custodian_settlement_statuses') }}
),

-- ISO 20022 (sese.024) and ISO 15022 (MT548) name the same statuses differently; one
-- vocabulary here, the platform's own codes kept beside it.
renamed as (
    select
        account_owner_tx_id as instruction_ref,
        account_servicer_tx_id as custodian_ref,
        message_id,
        message_format,
        message_function,
        safekeeping_account,
        isin,
        securities_movement_type,
        payment_type,
        trade_date,
        intended_settlement_date,
        place_of_settlement,
        processing_status as processing_status_code,
        case
            when processing_status in ('AckdAccptd', 'PACK') then 'accepted'
            when processing_status in ('Rjctd', 'REJT') then 'rejected'
            when processing_status in ('Canc', 'CAND') then 'cancelled'
            when processing_status is null then null
            else 'other'
        end as processing_status,
        processing_reason_codes,
        matching_status as matching_status_code,
        case
            when matching_status in ('Mtchd', 'MACH') then 'matched'
            when matching_status in ('Umtchd', 'NMAT') then 'unmatched'
            when matching_status is null then null
            else 'other'
        end as matching_status,
        matching_reason_codes,
        settlement_status as settlement_status_code,
        case
            when settlement_status in ('Pdg', 'PEND') then 'pending'
            when settlement_status in ('Flng', 'PENF') then 'failing'
            when settlement_status is null then null
            else 'other'
        end as settlement_status,
        settlement_reason_codes,
        reason_text,
        settlement_quantity,
        settlement_amount,
        settlement_currency,
        created_at as status_at,
        created_local as status_local_time,
        created_utc_offset as status_utc_offset,
        business_date,
        source_file,
        file_sha256,
        message_index
    from source
)

select * from renamed
