-- One row per matched pair of a current allocation line and a current confirmation,
-- with the rule that paired them. References first (IndividualAllocID, then AllocID +
-- account), the economic key last (ISIN + side + trade date + broker + account); a rule
-- pairs records only when each is the other's only candidate, so nothing is matched by
-- chance (int_confirmation_match_ambiguities lists what no rule could pair for that reason).
-- Rules and their priority: the trade_vs_confirmation_match_rules var (dbt_project.yml).
with

{{ confirmation_matching_ctes() }},

final as (
    select
        cast(left_id as varchar) as allocation_line_id,
        cast(right_id as varchar) as confirm_id,
        cast(match_rule as varchar) as match_rule
    from confirmation_match_pairs
)

select * from final
