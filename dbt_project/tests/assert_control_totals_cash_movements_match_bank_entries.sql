-- Control totals, bank: per business date, the cash movements' signed amount and count
-- equal those of the raw booked statement entries (camt.053 Ntry, MT940 :61:), an entry of a
-- resent statement counted once. Returns the dates that differ.
with

raw_entries as (
    select distinct
        account_id,
        statement_id,
        sequence_number,
        entry_index,
        case when credit_debit = 'DBIT' then -amount else amount end as signed_amount,
        currency,
        value_date,
        account_servicer_ref,
        end_to_end_id,
        account_owner_ref,
        business_date
    from {{ source('bank', 'bank_statement_entries') }}
    where entry_status = 'BOOK' and message_format <> 'MT942'
),

raw_totals as (
    select
        business_date,
        sum(signed_amount) as signed_amount,
        count(*) as entry_count
    from raw_entries
    group by business_date
),

mart_totals as (
    select
        business_date,
        sum(signed_amount) as signed_amount,
        count(*) as entry_count
    from {{ ref('fct_cash_movements') }}
    group by business_date
)

{{ control_total_differences(['business_date'], ['signed_amount', 'entry_count']) }}
