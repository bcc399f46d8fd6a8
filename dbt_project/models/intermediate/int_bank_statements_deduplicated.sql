-- One row per bank statement page (camt.053 Stmt, MT940 message) as the bank meant it: a
-- statement delivered again (same account, statement, sequence and page number, same
-- balances and entry count) is kept once, its first delivery, with how often it came.
with

statements as (
    select * from {{ ref('stg_bank__statements') }}
),

fingerprinted as (
    select
        statements.*,
        coalesce(
            statements.account_currency, statements.opening_currency, statements.closing_currency
        )
            as currency_code,
        coalesce(statements.page_number, 1) as page_sequence,
        md5(
            coalesce(cast(statements.opening_balance as varchar), '') || '|'
            || coalesce(cast(statements.closing_balance as varchar), '') || '|'
            || coalesce(cast(statements.entry_count as varchar), '') || '|'
            || coalesce(cast(statements.statement_from_date as varchar), '') || '|'
            || coalesce(cast(statements.statement_to_date as varchar), '')
        ) as content_hash
    from statements
),

ranked as (
    select
        fingerprinted.*,
        row_number() over (
            partition by
                fingerprinted.account_id,
                fingerprinted.statement_id,
                fingerprinted.sequence_number,
                fingerprinted.page_sequence,
                fingerprinted.content_hash
            order by
                fingerprinted.business_date, fingerprinted.source_file, fingerprinted.message_index
        ) as delivery_rank,
        count(*) over (
            partition by
                fingerprinted.account_id,
                fingerprinted.statement_id,
                fingerprinted.sequence_number,
                fingerprinted.page_sequence,
                fingerprinted.content_hash
        ) as delivery_count
    from fingerprinted
),

final as (
    select
        statement_id,
        sequence_number,
        page_sequence as page_number,
        message_format,
        account_id,
        currency_code,
        opening_balance_code,
        opening_balance,
        opening_date,
        closing_balance_code,
        closing_balance,
        closing_date,
        entry_count,
        cast(delivery_count as integer) as delivery_count,
        business_date,
        source_file,
        file_sha256,
        message_index
    from ranked
    where delivery_rank = 1
)

select * from final
