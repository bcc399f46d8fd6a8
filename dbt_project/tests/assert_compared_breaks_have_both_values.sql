-- A break that compares our value with the platform's has both: a value nobody sent is
-- never compared (a missing optional field is derived where its standard says how, else
-- left out of the comparison). Returns the breaks of a values_compared type with a null
-- left or right value.
with

breaks as (
    select * from {{ ref('breaks') }}
),

break_types as (
    select * from {{ ref('break_types') }}
),

final as (
    select
        breaks.break_id,
        breaks.recon,
        breaks.break_type,
        breaks.trade_ref,
        breaks.field,
        breaks.left_value,
        breaks.right_value
    from breaks
    inner join break_types
        on breaks.recon = break_types.recon and breaks.break_type = break_types.break_type
    where
        break_types.values_compared
        and (breaks.left_value is null or breaks.right_value is null)
)

select * from final
