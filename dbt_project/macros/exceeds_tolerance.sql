{#- True when two values differ by more than the tolerance: the larger of an absolute
    amount and a share of the left (reference) value. Only what both sides state is
    compared: a value missing on either side is no difference (a side missing altogether is
    its own break type, and an optional field is derived before it gets here where its
    standard says how). Missing tolerances mean exact comparison. -#}
{% macro exceeds_tolerance(left_value, right_value, abs_tolerance, rel_tolerance) -%}
    coalesce(
        abs({{ right_value }} - {{ left_value }}) > greatest(
            coalesce({{ abs_tolerance }}, 0),
            coalesce({{ rel_tolerance }}, 0) * abs({{ left_value }})
        ),
        false
    )
{%- endmacro %}
