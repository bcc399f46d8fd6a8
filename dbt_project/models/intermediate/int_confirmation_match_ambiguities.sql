-- One row per current allocation line or confirmation that no match rule paired because
-- a rule found several candidates for it: the first such rule and how many candidates.
-- Rules and their priority: the trade_vs_confirmation_match_rules var (dbt_project.yml).
with

allocations as (
    select
        allocation_line_id as left_id,
        *
    from {{ ref('int_allocations_versioned') }}
    where is_current
),

confirmations as (
    select
        confirm_id as right_id,
        *
    from {{ ref('int_confirmations_versioned') }}
    where is_current
),

{{ match_cascade('confirmation_match', 'allocations', 'confirmations',
    var('trade_vs_confirmation_match_rules')) }},

final as (
    select
        cast(side as varchar) as side,
        cast(case when side = 'left' then record_id end as varchar) as allocation_line_id,
        cast(case when side = 'right' then record_id end as varchar) as confirm_id,
        cast(match_rule as varchar) as match_rule,
        cast(candidate_count as integer) as candidate_count
    from confirmation_match_ambiguous
)

select * from final
