{#- Pairs left and right records by match rules tried in priority order (the
    `<recon>_match_rules` var in dbt_project.yml: references first, economic keys last).
    A rule pairs a left and a right record only when each is the other's only candidate
    under that rule, among the records no earlier rule paired; a record with several
    candidates is left for the next rule, and reported as ambiguous if no rule pairs it.
    Emits CTEs `<prefix>_pairs` (left_id, right_id, match_rule) and `<prefix>_ambiguous`
    (side, record_id, match_rule, candidate_count: the records competing in the largest
    group it belonged to); `left_cte` / `right_cte` are CTEs with
    id columns `left_id` / `right_id` and every key column the rules name. -#}
{% macro match_cascade(prefix, left_cte, right_cte, rules) -%}
{%- for rule in rules %}
{%- set rule_name = rule['rule'] %}
{%- if loop.first %}
{%- set left_records, right_records = left_cte, right_cte %}
{%- else %}
{%- set left_records = prefix ~ '_' ~ loop.index ~ '_left' %}
{%- set right_records = prefix ~ '_' ~ loop.index ~ '_right' %}
{#- The records no earlier rule paired, each side on its own, before the join: a later rule
    (economic keys) has many candidates per key over all records, and joining them all
    before dropping the paired ones grew with the square of the day. Two anti-joins, not
    one on `left_id = ... or right_id = ...`, which is no equi-join. #}
{{ left_records }} as (
    select * from {{ left_cte }} as left_side
    where not exists (
        select 1 from {{ prefix }}_{{ loop.index - 1 }}_paired as paired
        where paired.left_id = left_side.left_id
    )
),

{{ right_records }} as (
    select * from {{ right_cte }} as right_side
    where not exists (
        select 1 from {{ prefix }}_{{ loop.index - 1 }}_paired as paired
        where paired.right_id = right_side.right_id
    )
),
{%- endif %}

{{ prefix }}_{{ loop.index }}_candidates as (
    select
        left_side.left_id,
        right_side.right_id,
        count(*) over (partition by left_side.left_id) as candidates_per_left,
        count(*) over (partition by right_side.right_id) as candidates_per_right
    from {{ left_records }} as left_side
    inner join {{ right_records }} as right_side
        on
        {%- for key in rule['keys'] %}
            {% if not loop.first %}and {% endif %}left_side.{{ key }} = right_side.{{ key }}
        {%- endfor %}
),

{{ prefix }}_{{ loop.index }}_paired as (
    {%- if not loop.first %}
    select
        left_id,
        right_id,
        match_rule
    from {{ prefix }}_{{ loop.index - 1 }}_paired
    union all
    {%- endif %}
    select
        left_id,
        right_id,
        '{{ rule_name }}' as match_rule
    from {{ prefix }}_{{ loop.index }}_candidates
    where candidates_per_left = 1 and candidates_per_right = 1
),

{{ prefix }}_{{ loop.index }}_ambiguous as (
    select
        'left' as side,
        left_id as record_id,
        '{{ rule_name }}' as match_rule,
        max(greatest(candidates_per_left, candidates_per_right)) as candidate_count
    from {{ prefix }}_{{ loop.index }}_candidates
    where candidates_per_left > 1 or candidates_per_right > 1
    group by left_id
    union all
    select
        'right' as side,
        right_id as record_id,
        '{{ rule_name }}' as match_rule,
        max(greatest(candidates_per_left, candidates_per_right)) as candidate_count
    from {{ prefix }}_{{ loop.index }}_candidates
    where candidates_per_left > 1 or candidates_per_right > 1
    group by right_id
),
{%- endfor %}

{{ prefix }}_pairs as (
    select * from {{ prefix }}_{{ rules | length }}_paired
),

{#- The first rule under which a record that no rule paired had several candidates. -#}
{{ prefix }}_ambiguous as (
    select
        side,
        record_id,
        match_rule,
        candidate_count
    from (
        select
            ambiguous.*,
            row_number() over (
                partition by ambiguous.side, ambiguous.record_id order by ambiguous.rule_priority
            ) as rule_rank
        from (
            {%- for rule in rules %}
            {% if not loop.first %}union all{% endif %}
            select
                *,
                {{ loop.index }} as rule_priority
            from {{ prefix }}_{{ loop.index }}_ambiguous
            {%- endfor %}
        ) as ambiguous
        where
            not exists (
                select 1 from {{ prefix }}_pairs as paired
                where ambiguous.side = 'left' and paired.left_id = ambiguous.record_id
            )
            and not exists (
                select 1 from {{ prefix }}_pairs as paired
                where ambiguous.side = 'right' and paired.right_id = ambiguous.record_id
            )
    ) as ranked
    where rule_rank = 1
)
{%- endmacro %}

{#- The trade_vs_confirmation matching as CTEs (confirmation_match_pairs,
    confirmation_match_ambiguous): current allocation lines against current confirmations
    by the trade_vs_confirmation_match_rules var. Models add their own `final`. -#}
{% macro confirmation_matching_ctes() -%}
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
    var('trade_vs_confirmation_match_rules')) }}
{%- endmacro %}
