-- One row per matched pair of a current allocation line and a current confirmation.
-- References first (IndividualAllocID, then AllocID + account), economic key last
-- (ISIN + side + trade date + broker + account); a fallback pairs records only when the
-- candidate is unique on both sides, so nothing is matched by chance.
with

allocations as (
    select * from {{ ref('int_allocations_versioned') }}
    where is_current
),

confirmations as (
    select * from {{ ref('int_confirmations_versioned') }}
    where is_current
),

by_individual_alloc_id as (
    select
        allocation_line_id,
        confirm_id
    from (
        select
            allocations.allocation_line_id,
            confirmations.confirm_id,
            row_number() over (
                partition by allocations.allocation_line_id
                order by confirmations.confirmed_at, confirmations.confirm_id
            ) as candidate_rank
        from allocations
        inner join confirmations
            on allocations.individual_alloc_id = confirmations.individual_alloc_id
    ) as candidates
    where candidate_rank = 1
),

unmatched_after_reference as (
    select allocations.*
    from allocations
    where not exists (
        select 1 from by_individual_alloc_id as matched
        where matched.allocation_line_id = allocations.allocation_line_id
    )
),

unpaired_confirmations_after_reference as (
    select confirmations.*
    from confirmations
    where not exists (
        select 1 from by_individual_alloc_id as matched
        where matched.confirm_id = confirmations.confirm_id
    )
),

alloc_id_candidates as (
    select
        allocations.allocation_line_id,
        confirmations.confirm_id,
        count(*) over (partition by allocations.allocation_line_id) as candidates_per_allocation,
        count(*) over (partition by confirmations.confirm_id) as candidates_per_confirmation
    from unmatched_after_reference as allocations
    inner join unpaired_confirmations_after_reference as confirmations
        on
            allocations.alloc_id = confirmations.alloc_id
            and allocations.alloc_account = confirmations.alloc_account
),

by_alloc_id_and_account as (
    select
        allocation_line_id,
        confirm_id
    from alloc_id_candidates
    where candidates_per_allocation = 1 and candidates_per_confirmation = 1
),

economic_candidates as (
    select
        allocations.allocation_line_id,
        confirmations.confirm_id,
        count(*) over (partition by allocations.allocation_line_id) as candidates_per_allocation,
        count(*) over (partition by confirmations.confirm_id) as candidates_per_confirmation
    from unmatched_after_reference as allocations
    inner join unpaired_confirmations_after_reference as confirmations
        on
            allocations.isin = confirmations.isin
            and allocations.side = confirmations.side
            and allocations.trade_date = confirmations.trade_date
            and allocations.executing_broker_lei = confirmations.executing_broker_lei
            and allocations.alloc_account = confirmations.alloc_account
    where not exists (
        select 1 from by_alloc_id_and_account as matched
        where
            matched.allocation_line_id = allocations.allocation_line_id
            or matched.confirm_id = confirmations.confirm_id
    )
),

by_economic_key as (
    select
        allocation_line_id,
        confirm_id
    from economic_candidates
    where candidates_per_allocation = 1 and candidates_per_confirmation = 1
),

final as (
    select
        allocation_line_id,
        confirm_id,
        'individual_alloc_id' as match_rule
    from by_individual_alloc_id
    union all
    select
        allocation_line_id,
        confirm_id,
        'alloc_id_and_account' as match_rule
    from by_alloc_id_and_account
    union all
    select
        allocation_line_id,
        confirm_id,
        'economic_key' as match_rule
    from by_economic_key
)

select * from final
