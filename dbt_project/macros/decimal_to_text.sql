{#- A decimal as text without padding zeros ("1000.500000" -> "1000.5"), the same on every
    warehouse, so break values read as the platforms sent them. -#}
{% macro decimal_to_text(expression) -%}
    case
        when {{ expression }} is null then null
        when position('.' in cast({{ expression }} as varchar)) > 0
            then rtrim(rtrim(cast({{ expression }} as varchar), '0'), '.')
        else cast({{ expression }} as varchar)
    end
{%- endmacro %}
