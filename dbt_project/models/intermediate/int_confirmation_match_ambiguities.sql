-- One row per current allocation line or confirmation that no match rule paired because
-- a rule found several candidates for it: the first such rule and how many candidates.
-- Rules and their priority: the trade_vs_confirmation_match_rules var (dbt_project.yml).
with

{{ confirmation_matching_ctes() }},

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
