-- One row per booked bank statement entry (camt.053 Ntry, MT940 :61:; not an MT942 interim
-- report's) of the statement pages
-- the bank meant, a resent statement counted once (int_bank_statements_deduplicated): the
-- instruction it settles, signed amount from our side, dates, and whether the settlements
-- expected cash for that instruction on that value date (int_expected_cash_movements).
-- Incremental: a partitioned run rewrites the entries of every statement (account and
-- statement id, all its sequence and page numbers) its window's files deliver, so a statement
-- resent in a later file is still counted once, from the delivery the deduplication keeps;
-- plus every entry whose is_expected_movement came out differently from the stored row (the
-- securities of an instruction may settle on a later day than its cash is booked). Without
-- the window it builds in full.
-- depends_on: {{ ref('stg_ingestion__files') }}
-- depends_on: {{ ref('stg_bank__statements') }}
{{
    config(
        materialized='incremental',
        unique_key='cash_movement_id',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
    )
}}

with

-- An MT942 interim report's entries are booked again by the day's MT940 statement: only
-- the statement's count.
entries as (
    select * from {{ ref('stg_bank__statement_entries') }}
    where entry_status = 'BOOK' and message_format <> 'MT942'
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
        expected.instruction_ref is not null as is_expected_movement,
        {{ run_loaded_at() }} as loaded_at
    from kept
    left join expected
        on
            kept.instruction_ref = expected.instruction_ref
            and kept.value_date = expected.settlement_date
    {% if is_incremental() and has_partition_window() %}
        where
            coalesce(kept.account_id, '') || '/' || coalesce(kept.statement_id, '') in (
                select
                    coalesce(window_statements.account_id, '') || '/'
                    || coalesce(window_statements.statement_id, '')
                from {{ ref('stg_bank__statements') }} as window_statements
                where {{ delivered_in_window('window_statements.file_sha256') }}
            )
            or kept.instruction_ref || '/' || cast(kept.value_date as varchar) in (
                select
                    previous.instruction_ref || '/' || cast(previous.value_date as varchar)
                from {{ this }} as previous
                left join expected as now_expected
                    on
                        previous.instruction_ref = now_expected.instruction_ref
                        and previous.value_date = now_expected.settlement_date
                where previous.is_expected_movement <> (now_expected.instruction_ref is not null)
            )
    {% endif %}
)

select * from final
