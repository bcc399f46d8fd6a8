-- One row per booked bank statement entry (camt.053 Ntry, MT940 :61:) of the statement pages
-- the bank meant, a resent statement counted once (int_bank_statements_deduplicated): the
-- instruction it settles, signed amount from our side, dates, and whether the settlements
-- expected cash for that instruction on that value date (int_expected_cash_movements).
with

entries as (
    select * from {{ ref('stg_bank__statement_entries') }}
    where entry_status = 'BOOK'
),

statements as (
    select * from {{ ref('int_bank_statements_deduplicated') }}
),

expected as (
    select distinct
        instruction_ref,
        settlement_date
    from {{ ref('int_expected_cash_movements') }}
),

kept as (
    select
        entries.*,
        statements.page_number
    from entries
    inner join statements
        on
            entries.file_sha256 = statements.file_sha256
            and entries.message_index = statements.message_index
            and entries.statement_id = statements.statement_id
),

final as (
    select
        cast(
            kept.account_id || '/' || kept.statement_id || '/'
            || cast(kept.sequence_number as varchar) || '/'
            || cast(kept.page_number as varchar) || '/'
            || cast(kept.entry_index as varchar) as varchar
        ) as cash_movement_id,
        cast(kept.instruction_ref as varchar) as instruction_ref,
        cast(kept.account_id as varchar) as account_id,
        cast(kept.currency_code as varchar) as currency_code,
        cast(kept.signed_amount as decimal(28, 6)) as signed_amount,
        cast(kept.credit_debit as varchar) as credit_debit,
        kept.booking_date,
        kept.value_date,
        cast(kept.bank_transaction_code as varchar) as bank_transaction_code,
        cast(kept.account_servicer_ref as varchar) as account_servicer_ref,
        cast(kept.statement_id as varchar) as statement_id,
        cast(kept.sequence_number as integer) as statement_sequence_number,
        cast(kept.page_number as integer) as statement_page_number,
        cast(kept.entry_index as integer) as entry_index,
        cast(kept.message_format as varchar) as message_format,
        kept.is_reversal,
        kept.business_date,
        expected.instruction_ref is not null as is_expected_movement
    from kept
    left join expected
        on
            kept.instruction_ref = expected.instruction_ref
            and kept.value_date = expected.settlement_date
)

select * from final
