-- One row per cash difference: a settled DVP instruction whose cash is missing from, or
-- booked at another amount on, the bank statements (matched by the instruction reference
-- and the settlement date, else by currency, value date and exact amount for an entry
-- without a reference; amounts within the recon_tolerances seed); a statement the bank
-- delivered twice; a statement whose opening balance does not continue the previous one's
-- closing balance (MT940 pages chain through their :60M:/:62M: intermediate balances; an
-- MT942 interim report, which has none, stays out of the chain); a statement page whose
-- entries do not take its opening balance to its closing balance.
-- Breaks carry the business date of the settlement, or of the statement.
with

expected as (
    select * from {{ ref('int_expected_cash_movements') }}
),

statements as (
    select * from {{ ref('int_bank_statements_deduplicated') }}
),

entries as (
    select * from {{ ref('stg_bank__statement_entries') }}
),

tolerances as (
    select * from {{ ref('recon_tolerances') }}
    where recon = 'cash' and field = 'amount'
),

-- Entries of the statements kept once (a statement delivered twice counts once). An MT942
-- interim report shows entries the day's MT940 statement books again: cash is checked
-- against the booked statements only.
kept_entries as (
    select entries.*
    from entries
    inner join statements
        on
            entries.file_sha256 = statements.file_sha256
            and entries.message_index = statements.message_index
            and entries.statement_id = statements.statement_id
    where entries.message_format <> 'MT942'
),

-- Per instruction and value date: one or more entries carrying the reference (netted).
booked_by_reference as (
    select
        instruction_ref,
        value_date,
        sum(signed_amount) as booked_amount
    from kept_entries
    where instruction_ref is not null
    group by instruction_ref, value_date
),

-- An entry without a reference (camt.053 without EndToEndId, MT940 NONREF) pays the
-- expected movement of its currency, value date and exact amount that no referenced entry
-- paid, when each is the other's only candidate: never matched at random.
amount_candidates as (
    select
        expected.instruction_ref,
        expected.settlement_date,
        unreferenced.signed_amount,
        count(*) over (
            partition by expected.instruction_ref, expected.settlement_date
        ) as entry_candidate_count,
        count(*) over (
            partition by
                unreferenced.file_sha256,
                unreferenced.message_index,
                unreferenced.statement_id,
                unreferenced.entry_index
        ) as expected_candidate_count
    from expected
    inner join kept_entries as unreferenced
        on
            expected.currency_code = unreferenced.currency_code
            and expected.settlement_date = unreferenced.value_date
            and expected.expected_amount = unreferenced.signed_amount
    where
        unreferenced.instruction_ref is null
        and not exists (
            select 1 from booked_by_reference
            where
                booked_by_reference.instruction_ref = expected.instruction_ref
                and booked_by_reference.value_date = expected.settlement_date
        )
),

booked as (
    select * from booked_by_reference
    union all
    select
        instruction_ref,
        settlement_date as value_date,
        signed_amount as booked_amount
    from amount_candidates
    where entry_candidate_count = 1 and expected_candidate_count = 1
),

currency_tolerances as (
    {{ tolerances_by_currency('tolerances', 'expected') }}
),

compared as (
    select
        expected.instruction_ref,
        expected.settlement_date,
        expected.expected_amount,
        booked.booked_amount,
        booked.instruction_ref is null as is_missing,
        {{ exceeds_tolerance(
            'expected.expected_amount', 'booked.booked_amount',
            'currency_tolerances.abs_tolerance', 'currency_tolerances.rel_tolerance'
        ) }} as is_amount_break
    from expected
    left join booked
        on
            expected.instruction_ref = booked.instruction_ref
            and expected.settlement_date = booked.value_date
    left join currency_tolerances
        on coalesce(expected.currency_code, '') = coalesce(currency_tolerances.currency_code, '')
),

chained as (
    select
        statements.*,
        lag(statements.closing_balance) over (
            partition by statements.account_id, statements.currency_code
            order by
                statements.sequence_number,
                statements.page_number,
                statements.business_date,
                statements.statement_id
        ) as previous_closing_balance
    from statements
    -- A statement without booked balances (an MT942 interim report) is no link of the chain.
    where statements.opening_balance is not null or statements.closing_balance is not null
),

-- A statement page whose entries do not take its opening balance to its closing balance:
-- the bank left an entry out, or one could not be read and is in quarantine. Entries of a
-- page delivered twice count once (kept_entries).
page_entry_totals as (
    select
        file_sha256,
        message_index,
        statement_id,
        sum(signed_amount) as entry_total
    from entries
    group by file_sha256, message_index, statement_id
),

unbalanced_pages as (
    select
        statements.business_date,
        statements.statement_id
        || case
            when statements.page_number > 1 then '/' || cast(statements.page_number as varchar)
            else ''
        end as statement_ref,
        statements.opening_balance + coalesce(page_entry_totals.entry_total, 0)
            as computed_closing_balance,
        statements.closing_balance
    from statements
    left join page_entry_totals
        on
            statements.file_sha256 = page_entry_totals.file_sha256
            and statements.message_index = page_entry_totals.message_index
            and statements.statement_id = page_entry_totals.statement_id
    where
        statements.opening_balance + coalesce(page_entry_totals.entry_total, 0)
        <> statements.closing_balance
),

final as (
    select
        'missing_cash_entry' as break_type,
        settlement_date as business_date,
        instruction_ref as trade_ref,
        'amount' as field,
        {{ decimal_to_text('expected_amount') }} as left_value,
        cast(null as varchar) as right_value,
        cast(null as decimal(28, 10)) as difference
    from compared
    where is_missing
    union all
    select
        'cash_amount_mismatch' as break_type,
        settlement_date as business_date,
        instruction_ref as trade_ref,
        'amount' as field,
        {{ decimal_to_text('expected_amount') }} as left_value,
        {{ decimal_to_text('booked_amount') }} as right_value,
        cast(booked_amount - expected_amount as decimal(28, 10)) as difference
    from compared
    where not is_missing and is_amount_break
    union all
    select distinct
        'duplicate_statement' as break_type,
        business_date,
        statement_id as trade_ref,
        cast(null as varchar) as field,
        cast(null as varchar) as left_value,
        cast(null as varchar) as right_value,
        cast(null as decimal(28, 10)) as difference
    from statements
    where delivery_count > 1
    union all
    select
        'balance_chain_break' as break_type,
        business_date,
        statement_id as trade_ref,
        'opening_balance' as field,
        {{ decimal_to_text('previous_closing_balance') }} as left_value,
        {{ decimal_to_text('opening_balance') }} as right_value,
        cast(opening_balance - previous_closing_balance as decimal(28, 10)) as difference
    from chained
    where opening_balance <> previous_closing_balance
    union all
    select
        'statement_balance_mismatch' as break_type,
        business_date,
        statement_ref as trade_ref,
        'closing_balance' as field,
        {{ decimal_to_text('computed_closing_balance') }} as left_value,
        {{ decimal_to_text('closing_balance') }} as right_value,
        cast(closing_balance - computed_closing_balance as decimal(28, 10)) as difference
    from unbalanced_pages
)

select
    'cash' as recon,
    final.*
from final
