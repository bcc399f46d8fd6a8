-- One row per settlement instruction and break type: what the custodian reported against
-- what we instructed (fct_settlement_instructions, fct_settlement_events), events taken in
-- the order of their own time, never the order of the files. Each root cause is reported
-- once, on the business date the custodian first showed it (the date of that status advice
-- or confirmation): a fail on its first failing day, an unmatched or SSI mismatch on the
-- day it was first reported, a partial on the day its first part settled (its root cause
-- the reason code of a later pending or failing status, when one came). Two breaks say
-- that a side is missing: an instruction the custodian had reported nothing on by its
-- intended settlement date (the custodian delivered nothing, or dropped the instruction),
-- and a custodian event for a reference that is no instruction of ours (booked before
-- go-live, or on a date not loaded).
with

instructions as (
    select * from {{ ref('fct_settlement_instructions') }}
),

events as (
    select * from {{ ref('fct_settlement_events') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

places_of_settlement as (
    select * from {{ ref('places_of_settlement') }}
),

reason_code_root_causes as (
    select * from {{ ref('reason_code_root_causes') }}
),

-- Every custodian event of one of our instructions, beside our SSI's place of settlement.
instruction_events as (
    select
        events.instruction_ref,
        events.event_type,
        events.matching_status,
        events.settlement_status,
        events.reason_codes,
        events.place_of_settlement,
        events.settled_quantity,
        events.remaining_quantity,
        events.is_partial,
        events.event_sequence,
        events.business_date,
        instructions.allocation_line_id,
        instructions.quantity as instructed_quantity,
        places_of_settlement.place_of_settlement_bic as our_place_of_settlement,
        split_part(events.reason_codes, ',', 1) as first_reason_code
    from events
    inner join instructions on events.instruction_ref = instructions.instruction_ref
    left join places_of_settlement on instructions.market_mic = places_of_settlement.market_mic
),

-- One candidate event per instruction and kind of break: the first one by event time.
candidates as (
    select
        'ssi_mismatch' as break_type,
        instruction_events.*
    from instruction_events
    where instruction_events.place_of_settlement <> instruction_events.our_place_of_settlement
    union all
    select
        'unmatched_instruction' as break_type,
        instruction_events.*
    from instruction_events
    where instruction_events.matching_status = 'unmatched'
    union all
    select
        'settlement_fail' as break_type,
        instruction_events.*
    from instruction_events
    where instruction_events.settlement_status = 'failing'
    union all
    select
        'partial_settlement' as break_type,
        instruction_events.*
    from instruction_events
    where instruction_events.event_type = 'settlement'
),

first_events as (
    select *
    from (
        select
            candidates.*,
            row_number() over (
                partition by candidates.instruction_ref, candidates.break_type
                order by candidates.event_sequence
            ) as occurrence_rank
        from candidates
    ) as ranked
    where occurrence_rank = 1
),

ssi_mismatches as (
    select * from first_events
    where break_type = 'ssi_mismatch'
),

-- A place-of-settlement mismatch explains the instruction not matching: reported once.
unmatched_instructions as (
    select * from first_events
    where
        break_type = 'unmatched_instruction'
        and instruction_ref not in (select ssi_mismatches.instruction_ref from ssi_mismatches)
),

-- The first settlement of the instruction was a part: less than instructed, or the
-- custodian states a quantity still to settle (whether or not it flagged it PAIN).
partial_settlements as (
    select * from first_events
    where
        break_type = 'partial_settlement'
        and (settled_quantity < instructed_quantity or remaining_quantity > 0)
),

-- A fail after part of the instruction settled is the partial's, not a break of its own:
-- it keeps the partial open and names its root cause (below).
settlement_fails as (
    select * from first_events
    where
        break_type = 'settlement_fail'
        and not exists (
            select 1 from partial_settlements
            where
                partial_settlements.instruction_ref = first_events.instruction_ref
                and partial_settlements.event_sequence < first_events.event_sequence
        )
),

-- Why the rest has not settled: the reason code of the latest pending or failing status
-- after the first part.
partial_reasons as (
    select
        instruction_ref,
        first_reason_code
    from (
        select
            instruction_events.instruction_ref,
            instruction_events.first_reason_code,
            row_number() over (
                partition by instruction_events.instruction_ref
                order by instruction_events.event_sequence desc
            ) as recency_rank
        from instruction_events
        inner join partial_settlements
            on
                instruction_events.instruction_ref = partial_settlements.instruction_ref
                and instruction_events.event_sequence > partial_settlements.event_sequence
        where
            instruction_events.settlement_status in ('pending', 'failing')
            and instruction_events.first_reason_code <> ''
    ) as ranked
    where recency_rank = 1
),

-- The first business date the custodian said anything about each reference.
first_reports as (
    select
        instruction_ref,
        min(business_date) as first_report_date
    from events
    where instruction_ref is not null
    group by instruction_ref
),

no_status_by_settlement_date as (
    select
        instructions.instruction_ref,
        instructions.allocation_line_id,
        instructions.intended_settlement_date
    from instructions
    cross join as_of
    left join first_reports on instructions.instruction_ref = first_reports.instruction_ref
    where
        instructions.intended_settlement_date <= as_of.as_of_date
        and (
            first_reports.first_report_date is null
            or first_reports.first_report_date > instructions.intended_settlement_date
        )
),

unknown_instructions as (
    select first_reports.*
    from first_reports
    where not exists (
        select 1 from instructions
        where instructions.instruction_ref = first_reports.instruction_ref
    )
),

final as (
    select
        break_type,
        business_date,
        instruction_ref as trade_ref,
        allocation_line_id,
        'place_of_settlement' as field,
        our_place_of_settlement as left_value,
        place_of_settlement as right_value,
        cast(null as decimal(28, 10)) as difference,
        cast(null as varchar) as root_cause
    from ssi_mismatches
    union all
    select
        reported.break_type,
        reported.business_date,
        reported.instruction_ref as trade_ref,
        reported.allocation_line_id,
        'status_reason' as field,
        cast(null as varchar) as left_value,
        reported.reason_codes as right_value,
        cast(null as decimal(28, 10)) as difference,
        reason_code_root_causes.root_cause
    from (
        select * from unmatched_instructions
        union all
        select * from settlement_fails
    ) as reported
    left join reason_code_root_causes
        on reported.first_reason_code = reason_code_root_causes.reason_code
    union all
    select
        partial_settlements.break_type,
        partial_settlements.business_date,
        partial_settlements.instruction_ref as trade_ref,
        partial_settlements.allocation_line_id,
        'settled_quantity' as field,
        {{ decimal_to_text('partial_settlements.instructed_quantity') }} as left_value,
        {{ decimal_to_text('partial_settlements.settled_quantity') }} as right_value,
        cast(
            partial_settlements.settled_quantity - partial_settlements.instructed_quantity
            as decimal(28, 10)
        ) as difference,
        reason_code_root_causes.root_cause
    from partial_settlements
    left join partial_reasons
        on partial_settlements.instruction_ref = partial_reasons.instruction_ref
    left join reason_code_root_causes
        on partial_reasons.first_reason_code = reason_code_root_causes.reason_code
    union all
    select
        'missing_settlement_status' as break_type,
        intended_settlement_date as business_date,
        instruction_ref as trade_ref,
        allocation_line_id,
        cast(null as varchar) as field,
        cast(null as varchar) as left_value,
        cast(null as varchar) as right_value,
        cast(null as decimal(28, 10)) as difference,
        cast(null as varchar) as root_cause
    from no_status_by_settlement_date
    union all
    select
        'unknown_instruction' as break_type,
        first_report_date as business_date,
        instruction_ref as trade_ref,
        cast(null as varchar) as allocation_line_id,
        cast(null as varchar) as field,
        cast(null as varchar) as left_value,
        cast(null as varchar) as right_value,
        cast(null as decimal(28, 10)) as difference,
        cast(null as varchar) as root_cause
    from unknown_instructions
)

select
    'settlement' as recon,
    final.*
from final
