{#- True when two values differ by more than the tolerance: the larger of an absolute
    amount and a share of the left (reference) value. A value missing on one side only is
    a difference; missing tolerances mean exact comparison. -#}
{% macro exceeds_tolerance(left_value, right_value, abs_tolerance, rel_tolerance) -%}
    (
        ({{ left_value }} is null) <> ({{ right_value }} is null)
        or abs({{ right_value }} - {{ left_value }}) > greatest(
            coalesce({{ abs_tolerance }}, 0),
            coalesce({{ rel_tolerance }}, 0) * abs({{ left_value }})
        )
    )
{%- endmacro %}
